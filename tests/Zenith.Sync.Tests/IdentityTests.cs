using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Tests;

/// <summary>Issue 11, items 7 and 8: a table's identity is the document's, whatever ORDER BY and whatever type its _id has.</summary>
[Collection(ServersCollection.Name)]
public sealed class IdentityTests(Servers servers)
{
    [Theory]
    [InlineData(SyncMode.IncrementalId)]
    [InlineData(SyncMode.Full)]
    public async Task Ids_equal_as_text_but_of_other_types_stay_distinct_rows(SyncMode mode)
    {
        var connector = servers.NewConnector(mode);
        var collection = servers.Collection(connector);
        try
        {
            var oid = ObjectId.Parse("650000000000000000000001");
            var uuid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
            await collection.InsertManyAsync(
            [
                new BsonDocument { { "_id", 1 }, { "n", 1 } },
                new BsonDocument { { "_id", "1" }, { "n", 2 } },
                new BsonDocument { { "_id", oid }, { "n", 3 } },
                new BsonDocument { { "_id", oid.ToString() }, { "n", 4 } },
                new BsonDocument { { "_id", new BsonBinaryData(uuid, GuidRepresentation.Standard) }, { "n", 5 } },
                new BsonDocument { { "_id", uuid.ToString() }, { "n", 6 } },
            ]);
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);

            var rows = await servers.ClickHouse.QueryAsync($"SELECT _id, toString(_zenith_id_type), n FROM {Table(connector)} FINAL ORDER BY n");
            Assert.Equal(
                new object[][] { ["1", "number", 1], ["1", "string", 2], [oid.ToString(), "objectId", 3], [oid.ToString(), "string", 4], [uuid.ToString(), "binData", 5], [uuid.ToString(), "string", 6] },
                rows.Select(r => new object[] { r[0]!, r[1]!, (int)r[2]! }));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task An_order_by_is_the_prefix_of_the_identity_and_a_value_that_would_widen_a_key_column_is_counted()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId) with { Table = new TableOptions(OrderBy: "(created_at, n)") };
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            var at = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
            await collection.InsertManyAsync(Enumerable.Range(0, 3).Select(i => new BsonDocument { { "_id", i }, { "created_at", at }, { "n", 7 } }));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(3, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {Table(connector)} FINAL"));
            Assert.Equal("created_at, n, _zenith_id_type, _id", await servers.ClickHouse.ScalarAsync<string>(
                $"SELECT sorting_key FROM system.tables WHERE database = '{connector.Destination.Database}' AND name = 'events'"));

            // n is in the key: ClickHouse cannot widen it (error 524), so the text is not stored there but in _zenith_extra, and the run says so.
            await collection.InsertOneAsync(new BsonDocument { { "_id", 3 }, { "created_at", at }, { "n", "seven" } });
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            var warning = Assert.Single(second.Warnings!, w => w.Kind == SyncWarningKind.KeyValuesNotStored);
            Assert.StartsWith("1 value(s) did not fit the key column(s) n (Nullable(Int32))", warning.Message, StringComparison.Ordinal);
            var rows = await servers.ClickHouse.QueryAsync($"SELECT _id, n FROM {Table(connector)} FINAL ORDER BY _id");
            Assert.Equal(new object?[][] { ["0", 7], ["1", 7], ["2", 7], ["3", null] }, rows.Select(r => new[] { r[0], r[1] }));
            Assert.Equal("{\"n\":\"seven\"}", await servers.ClickHouse.ScalarAsync<string>($"SELECT {servers.JsonText("_zenith_extra")} FROM {Table(connector)} FINAL WHERE _id = '3'"));
            Assert.Equal("Nullable(Int32)", await servers.ClickHouse.ScalarAsync<string>(
                $"SELECT type FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events' AND name = 'n'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_table_made_before_the_id_type_column_keeps_working_as_it_was()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var database = connector.Destination.Database;
        try
        {
            await servers.Collection(connector).InsertManyAsync([new BsonDocument { { "_id", 1 }, { "n", 1 } }, new BsonDocument { { "_id", 2 }, { "n", 2 } }]);
            await servers.ClickHouse.ExecuteAsync($"CREATE DATABASE `{database}`");
            await servers.ClickHouse.ExecuteAsync(
                $"CREATE TABLE `{database}`.`events` (`_id` String, `n` Nullable(Int32) COMMENT '[\"n\"]', `_zenith_synced_at` DateTime64(3, 'UTC'), `_zenith_version` UInt64) " +
                $"ENGINE = ReplacingMergeTree(`_zenith_version`) ORDER BY `_id` SETTINGS {Ddl.DeduplicationSetting}");
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, ["n"]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    private static string Table(ConnectorSpec connector) => $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";
}
