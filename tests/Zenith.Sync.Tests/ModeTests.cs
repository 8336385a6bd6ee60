using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

[Collection(ServersCollection.Name)]
public sealed class ModeTests(Servers servers)
{
    private static readonly string[] Fields = ["n", "name", "score", "active", "updated_at", "big"];
    private static readonly DateTime Epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static BsonDocument Doc(int i, int revision = 0) => new()
    {
        { "_id", ObjectId.Parse($"66000000{i:x16}") },
        { "n", i },
        { "name", $"event {i} r{revision}" },
        { "score", (i * 1.25) + revision },
        { "active", i % 3 == 0 },
        { "updated_at", Epoch.AddSeconds(i + (revision * 1_000_000)) },
        { "big", (long)i * 10_000_000_000L },
    };

    private static async Task InsertAsync(IMongoCollection<BsonDocument> collection, IEnumerable<BsonDocument> docs)
    {
        foreach (var chunk in docs.Chunk(10_000))
        {
            await collection.InsertManyAsync(chunk);
        }
    }

    [Fact]
    public async Task Incremental_id_copies_100k_documents_then_only_the_new_ones()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 5000);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 100_000).Select(i => Doc(i)));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(100_000, first.RowsWritten);
            Assert.Equal(20, first.Batches);

            await InsertAsync(collection, Enumerable.Range(100_000, 2_500).Select(i => Doc(i)));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(2_500, second.RowsRead);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Incremental_timestamp_picks_up_updates_and_collapses_versions()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, batchSize: 5000);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 100_000).Select(i => Doc(i)));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(100_000, first.RowsWritten);

            for (var i = 0; i < 100_000; i += 97)
            {
                await collection.ReplaceOneAsync(new BsonDocument("_id", Doc(i)["_id"]), Doc(i, revision: 1));
            }

            await InsertAsync(collection, Enumerable.Range(100_000, 1_000).Select(i => Doc(i, revision: 1)));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(1_031 + 1_000, second.RowsRead);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Incremental_timestamp_keeps_5000_documents_sharing_one_timestamp_across_batches()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, batchSize: 300);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 5_000).Select(i => Doc(i).Set("updated_at", Epoch)));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(5_000, first.RowsWritten);
            Assert.Equal(17, first.Batches);

            await InsertAsync(collection, Enumerable.Range(5_000, 700).Select(i => Doc(i).Set("updated_at", Epoch)));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(700, second.RowsRead);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Full_sync_replaces_the_table_and_deletes_disappear()
    {
        var connector = servers.NewConnector(SyncMode.Full, batchSize: 5000);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 100_000).Select(i => Doc(i)));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);

            await collection.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 1_000)));
            await collection.ReplaceOneAsync(new BsonDocument("_id", Doc(5_000)["_id"]), Doc(5_000, revision: 2));
            await InsertAsync(collection, Enumerable.Range(100_000, 500).Select(i => Doc(i)));
            var readerSaw = new List<long>();
            using var stop = new CancellationTokenSource();
            var table = $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";
            var reader = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    readerSaw.Add(await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table}"));
                }
            });
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            await stop.CancelAsync();
            await reader;
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);

            // The reader ran during the whole run: had the swap ever shown an empty or partial table, it would have counted it.
            Assert.NotEmpty(readerSaw);
            Assert.All(readerSaw, count => Assert.True(count >= 99_500, $"a reader saw {count} rows"));
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.tables WHERE database = '{connector.Destination.Database}' AND name LIKE '%zenith_staging%'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
