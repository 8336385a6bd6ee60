using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>The source's limit: the C# driver reads the whole collection as <see cref="RawBsonDocument"/> and drops it.</summary>
internal sealed class SourceCeiling(IMongoClient client) : IContestant
{
    public string Name => "ceiling: read only";

    public string Key => "ceiling_read";

    public CpuProbe Cpu { get; } = new("the harness process, in which the ceiling runs (/proc/self)", ProcCpu.SelfTicks);

    public string Description => "Source ceiling: MongoDB.Driver cursor over `RawBsonDocument`, documents counted and dropped (nothing written)";

    public bool WritesTable => false;

    public string? NotApplicable(DataSet dataSet) => dataSet.Incremental ? "ceilings are measured on first loads" : null;

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var collection = client.GetDatabase(BenchRun.SourceDatabase).GetCollection<RawBsonDocument>(target.Collection);
        long documents = 0;
        using var cursor = await collection.FindAsync(FilterDefinition<RawBsonDocument>.Empty, new FindOptions<RawBsonDocument> { BatchSize = 10_000 }, ct).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
        {
            foreach (var document in cursor.Current)
            {
                documents++;
                document.Dispose();
            }
        }
        return new RunOutcome(Stopwatch.GetElapsedTime(started).TotalSeconds, documents);
    }
}
