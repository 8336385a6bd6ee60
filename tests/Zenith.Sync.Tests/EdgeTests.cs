using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

[Collection(ServersCollection.Name)]
public sealed class EdgeTests(Servers servers)
{
    [Fact]
    public async Task Every_bson_type_awkward_names_and_a_late_field_land_in_the_table()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 2);
        var collection = servers.Collection(connector);
        var observer = new RecordingObserver();
        try
        {
            await collection.InsertManyAsync(
            [
                new BsonDocument { { "_id", 1 }, { "n", 1 }, { "with space", "a" }, { "quote`s'", true }, { "ünï", 1.5 } },
                new BsonDocument { { "_id", 2 }, { "n", 2L }, { "uuid", new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard) } },
                new BsonDocument { { "_id", 3 }, { "n", "text" }, { "ts", new BsonTimestamp(5, 6) }, { "dec", Decimal128.Parse("1.25") }, { "arr", new BsonArray { 1, 2 } } },
                new BsonDocument { { "_id", 4 }, { "late", new BsonDocument("x", new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)) }, { "nothing", BsonNull.Value } },
            ]);
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(4, result.RowsWritten);
            var table = $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";
            var rows = await servers.ClickHouse.QueryAsync(
                $"SELECT _id, toString(n), toTypeName(n), toString(uuid), toString(`with space`), toString(`quote``s'`), toString(late_x), toString(ts) FROM {table} FINAL ORDER BY _id");
            Assert.Equal(["1", "1", "Nullable(String)", null, "a", "true", null, null], rows[0]);
            Assert.Equal(["2", "2", "Nullable(String)", "0f8fad5b-d9cb-469f-a165-70867728950e", null, null, null, null], rows[1]);
            Assert.Equal(["3", "text", "Nullable(String)", null, null, null, null, "21474836486"], rows[2]);
            Assert.Equal(["4", null, "Nullable(String)", null, null, null, "2020-01-01 00:00:00.000", null], rows[3]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_missing_collection_and_an_unreachable_clickhouse_give_clear_errors()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        ISyncEngine engine = new SyncEngine(new SyncEngineOptions { ConnectTimeout = TimeSpan.FromSeconds(3), Retry = Zenith.Core.Retries.RetryPolicy.None });
        var test = await engine.TestAsync(connector.Source, connector.Destination with { Uri = "http://default:s3cret@127.0.0.1:1" }, default);
        Assert.False(test.Source.Ok);
        Assert.Equal($"database {connector.Source.Database} does not exist (it has no collections; names are case-sensitive)", test.Source.Message);
        Assert.False(test.Destination.Ok);
        Assert.Equal("ClickHouse at 127.0.0.1:1 refused the connection", test.Destination.Message);
        Assert.DoesNotContain("s3cret", test.Destination.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_collection_creates_an_empty_table()
    {
        var connector = servers.NewConnector(SyncMode.Full);
        try
        {
            await servers.Mongo.Client.GetDatabase(connector.Source.Database).CreateCollectionAsync("events");
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM `{connector.Destination.Database}`.`events`"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
