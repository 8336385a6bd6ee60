using MongoDB.Bson;
using MongoDB.Driver;

namespace Zenith.Bench.DataSets;

/// <summary>A data set of the benchmark: a shape, a size, a seed; and, once loaded, what the table must hold.</summary>
/// <param name="name">As the report shows it, e.g. <c>incremental (index)</c>.</param>
/// <param name="key">For <c>--datasets</c>, collection and table names (default: the name).</param>
/// <param name="indexed">The collection gets the index <c>incremental_timestamp</c> reads by, <c>{updated_at: 1, _id: 1}</c>, before any contestant runs.</param>
internal sealed class DataSet(string name, string title, DocumentShape shape, int documents, int seed, bool incremental = false, string? key = null, bool indexed = false)
{
    public string Name { get; } = name;

    public string Key { get; } = key ?? name;

    public bool Indexed { get; } = indexed;

    public string Title { get; } = title;

    public DocumentShape Shape { get; } = shape;

    public int Documents { get; } = documents;

    public int Seed { get; } = seed;

    /// <summary>The scenario "1% of the documents changed, sync again" rather than a first load.</summary>
    public bool Incremental { get; } = incremental;

    public string Collection => Key;

    public string WarmUpCollection => Key + "_warmup";

    /// <summary>The warm-up collection: 5% of the documents (2,000–100,000), also the sample slow contestants are measured on.</summary>
    public int WarmUpDocuments => Math.Clamp(Documents / 20, 2_000, 100_000);

    public ExpectedContent Expected { get; } = new();

    /// <summary>What a table loaded from the warm-up collection must hold (slow contestants are measured on it).</summary>
    public ExpectedContent WarmUpExpected { get; } = new();

    public UserSchema FlatSchema { get; } = new(maxDepth: 3);

    public UserSchema TopLevelSchema { get; } = new(maxDepth: 1);

    public long SourceBytes { get; private set; }

    public double LoadSeconds { get; private set; }

    /// <summary>Of <see cref="LoadSeconds"/>, the time spent waiting for the test server to take the inserts.</summary>
    public double InsertWaitSeconds { get; private set; }

    /// <summary>updated_at (Unix ms) per seq, kept for the incremental scenario's bumps.</summary>
    private long[]? updatedAt;

    private int bumps;

    public async Task LoadAsync(IMongoDatabase database, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await database.DropCollectionAsync(Collection, ct).ConfigureAwait(false);
        await database.DropCollectionAsync(WarmUpCollection, ct).ConfigureAwait(false);
        if (Incremental)
            updatedAt = new long[Documents];
        await InsertAsync(database.GetCollection<RawBsonDocument>(Collection), Documents, Seed, Expected, main: true, ct).ConfigureAwait(false);
        await InsertAsync(database.GetCollection<RawBsonDocument>(WarmUpCollection), WarmUpDocuments, Seed + 1, WarmUpExpected, main: false, ct).ConfigureAwait(false);
        LoadSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>The warm-up collection's documents once more into <paramref name="collection"/>: a table loaded from it must hold <see cref="WarmUpExpected"/>.</summary>
    public Task InsertWarmUpCopyAsync(IMongoDatabase database, string collection, CancellationToken ct) =>
        InsertAsync(database.GetCollection<RawBsonDocument>(collection), WarmUpDocuments, Seed + 1, expected: null, main: false, ct);

    /// <summary>Touches 1% of the documents (one <c>bucket</c>): <c>updated_at</c> moves past every earlier value.</summary>
    public async Task<long> BumpAsync(IMongoDatabase database, CancellationToken ct)
    {
        if (updatedAt is null)
            throw new InvalidOperationException("Only the incremental data set is bumped.");
        var bucket = bumps % 100;
        bumps++;
        var newValue = DocumentShape.Epoch.AddMilliseconds((Documents * 10L) + (bumps * 1000L));
        var newMillis = new DateTimeOffset(newValue).ToUnixTimeMilliseconds();
        var result = await database.GetCollection<BsonDocument>(Collection).UpdateManyAsync(
            Builders<BsonDocument>.Filter.Eq("bucket", bucket),
            Builders<BsonDocument>.Update.Set("updated_at", newValue),
            cancellationToken: ct).ConfigureAwait(false);
        for (var seq = bucket; seq < Documents; seq += 100)
        {
            Expected.ShiftUpdatedAt(newMillis - updatedAt[seq]);
            updatedAt[seq] = newMillis;
        }
        return result.ModifiedCount;
    }

    public IEnumerable<BsonDocument> Generate(int count, int seed)
    {
        var random = new Random(seed);
        for (var seq = 0; seq < count; seq++)
            yield return Shape.Create(seq, random);
    }

    /// <summary>Serializes each document once (the bytes are both measured and sent), overlapping generation with the previous insert.</summary>
    /// <remarks>Both collections feed the hand-written schemas (the warm-up's documents go to the same tables); a copy (no
    /// <paramref name="expected"/>) adds nothing new to them.</remarks>
    private async Task InsertAsync(IMongoCollection<RawBsonDocument> collection, int count, int seed, ExpectedContent? expected, bool main, CancellationToken ct)
    {
        const int BatchSize = 10_000;
        var batch = new List<RawBsonDocument>(BatchSize);
        Task pending = Task.CompletedTask;
        foreach (var document in Generate(count, seed))
        {
            if (expected is not null)
            {
                expected.Add(document);
                FlatSchema.Observe(document);
                TopLevelSchema.Observe(document);
            }
            if (main && updatedAt is not null)
                updatedAt[document["seq"].ToInt64()] = new DateTimeOffset(document["updated_at"].ToUniversalTime()).ToUnixTimeMilliseconds();
            var bytes = document.ToBson();
            if (main)
                SourceBytes += bytes.Length;
            batch.Add(new RawBsonDocument(bytes));
            if (batch.Count == BatchSize)
            {
                var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
                await pending.ConfigureAwait(false);
                InsertWaitSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(waiting).TotalSeconds;
                pending = collection.InsertManyAsync(batch, new InsertManyOptions { IsOrdered = false }, ct);
                batch = new List<RawBsonDocument>(BatchSize);
            }
        }
        await pending.ConfigureAwait(false);
        if (batch.Count > 0)
            await collection.InsertManyAsync(batch, new InsertManyOptions { IsOrdered = false }, ct).ConfigureAwait(false);
    }
}
