using System.IO.Hashing;
using System.Text;
using MongoDB.Bson;

namespace Zenith.Bench.DataSets;

/// <summary>
/// What the ClickHouse table must hold, computed from the source documents as they are generated
/// (and updated). The SQL side computes the same aggregates with ClickHouse's own functions:
/// <c>xxHash64</c> is XXH64 with seed 0, which <c>System.IO.Hashing.XxHash64</c> also is; sums wrap modulo 2^64.
/// </summary>
internal sealed class ExpectedContent
{
    /// <summary>The query every contestant's table is checked with; column names are the top-level fields every contestant keeps.</summary>
    public const string CheckSelect =
        "count(), sum(xxHash64(toString(_id))), sum(toInt64(seq)), sum(xxHash64(toString(kind))), sum(toUnixTimestamp64Milli(toDateTime64(updated_at, 3, 'UTC')))";

    public long Count { get; private set; }

    public ulong IdHash { get; private set; }

    public long SeqSum { get; private set; }

    public ulong KindHash { get; private set; }

    public long UpdatedAtSum { get; private set; }

    public void Add(BsonDocument document)
    {
        Count++;
        IdHash += Hash(document["_id"].AsObjectId.ToString());
        SeqSum += document["seq"].ToInt64();
        KindHash += Hash(document["kind"].AsString);
        UpdatedAtSum += document["updated_at"].ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond - DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerMillisecond;
    }

    public void ShiftUpdatedAt(long millis) => UpdatedAtSum += millis;

    public static ulong Hash(string text) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text));

    public string? Compare(long count, ulong idHash, long seqSum, ulong kindHash, long updatedAtSum)
    {
        var problems = new List<string>();
        if (count != Count) problems.Add($"count {count:N0} != {Count:N0}");
        if (idHash != IdHash) problems.Add("_id hash differs");
        if (seqSum != SeqSum) problems.Add("seq sum differs");
        if (kindHash != KindHash) problems.Add("kind hash differs");
        if (updatedAtSum != UpdatedAtSum) problems.Add("updated_at sum differs");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
