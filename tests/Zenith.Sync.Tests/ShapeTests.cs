using System.Security.Cryptography;
using System.Text;
using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>Documents of unusual shape, end to end: near 16 MB, deeper than the depth limit, awkward field names, none at all.</summary>
[Collection(ServersCollection.Name)]
public sealed class ShapeTests(Servers servers)
{
    private static readonly string IdType = "_zenith_id_type " + Zenith.Core.Mapping.KeyColumns.IdTypeDefinition;

    [Fact]
    public async Task A_document_near_the_16_mb_limit_syncs()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 2);
        var collection = servers.Collection(connector);
        var big = new StringBuilder(14_500_000);
        for (var i = 0; big.Length < 14_500_000; i++)
        {
            big.Append(i).Append(';');
        }

        var text = big.ToString();
        var numbers = new BsonArray(Enumerable.Range(0, 100_000));
        try
        {
            var document = new BsonDocument { { "_id", 2 }, { "big", text }, { "numbers", numbers } };
            Assert.InRange(document.ToBson().Length, 15_500_000, 16 * 1024 * 1024);
            await collection.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "big", "small" } }, document, new BsonDocument { { "_id", 3 }, { "big", "after" } }]);
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(3, result.RowsWritten);
            var rows = await servers.ClickHouse.QueryAsync(
                $"SELECT _id, length(big), lower(hex(SHA256(big))), length(numbers), numbers[100000] FROM `{connector.Destination.Database}`.`events` FINAL ORDER BY _id");
            Assert.Equal(["2", (ulong)text.Length, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), (ulong)100_000, 99_999], rows[1]);
            Assert.Equal(3, rows.Count);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Parts_deeper_than_the_depth_limit_read_back_as_the_source_json(int maxDepth)
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: new MappingOptions("_", maxDepth));
        var collection = servers.Collection(connector);
        var a = new BsonDocument
        {
            { "b", new BsonDocument { { "c", 1 }, { "d", new BsonArray { 1, new BsonDocument("x", "y"), new BsonArray { true, BsonNull.Value } } }, { "when", new DateTime(2021, 5, 6, 7, 8, 9, 10, DateTimeKind.Utc) } } },
            { "e", "s\"quoted\"\n" },
            { "f", 2.5 },
        };
        try
        {
            await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "a", a }, { "top", 7 } });
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            var table = $"`{connector.Destination.Database}`.`events`";
            var columns = (await servers.ClickHouse.QueryAsync($"SELECT name, type FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events' ORDER BY position"))
                .Select(r => $"{r[0]} {r[1]}").ToList();
            if (maxDepth == 1)
            {
                Assert.Equal(["_id String", $"a {servers.JsonType}", "top Nullable(Int32)", $"_zenith_extra {servers.JsonType}", "_zenith_synced_at DateTime64(3, 'UTC')", "_zenith_version UInt64", IdType], columns);
                var json = await servers.ClickHouse.ScalarAsync<string>($"SELECT {servers.JsonText("a")} FROM {table} FINAL");
                Assert.Equal(a, BsonDocument.Parse(json));
            }
            else
            {
                Assert.Equal(["_id String", $"a_b {servers.JsonType}", "a_e Nullable(String)", "a_f Nullable(Float64)", "top Nullable(Int32)", $"_zenith_extra {servers.JsonType}", "_zenith_synced_at DateTime64(3, 'UTC')", "_zenith_version UInt64", IdType], columns);
                var row = (await servers.ClickHouse.QueryAsync($"SELECT {servers.JsonText("a_b")}, a_e, a_f FROM {table} FINAL")).Single();
                Assert.Equal(a["b"].AsBsonDocument, BsonDocument.Parse((string)row[0]!));
                Assert.Equal(["s\"quoted\"\n", 2.5], row[1..]);
            }
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Awkward_field_names_become_columns_that_hold_their_values_and_dots_never_reach_a_column_name()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var collection = servers.Collection(connector);
        string[] names = ["with.dot", "with space", "quote's", "double\"quote", "back`tick", "back\\slash", "ünïcødé 名前", "$dollar", "a$b", "emoji 🚀", "semi;colon--"];
        var document = new BsonDocument("_id", 1);
        for (var i = 0; i < names.Length; i++)
        {
            document[names[i]] = $"value {i}";
        }

        document["nested.dot"] = new BsonDocument("in`ner", 5);
        try
        {
            await collection.InsertOneAsync(document);
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            // A dot in a column name would make ClickHouse take an Array column for part of a Nested group: dots become the separator.
            var columns = string.Join(", ", names.Select(n => Zenith.Core.Mapping.Ddl.Quote(n.Replace('.', '_'))));
            var row = (await servers.ClickHouse.QueryAsync(
                $"SELECT {columns}, {Zenith.Core.Mapping.Ddl.Quote("nested_dot_in`ner")} FROM `{connector.Destination.Database}`.`events` FINAL")).Single();
            Assert.Equal([.. names.Select((_, i) => (object?)$"value {i}"), 5], row);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Fields_first_seen_after_the_sample_add_columns_mid_run_before_the_metadata_columns()
    {
        // Integer _ids carry no time: without a settle window the first run's keys settle at once, so the second reads only the new.
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 10) with { SettleSeconds = 0 };
        var observer = new RecordingObserver();
        try
        {
            // The sample is random ($sample): the table is made from documents without the late fields, which a second run brings.
            var collection = servers.Collection(connector);
            var store = new MemoryCheckpointStore();
            await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
            var first = await new SyncEngine(new SyncEngineOptions { SampleSize = 10 }).RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            await collection.InsertManyAsync(Enumerable.Range(50, 50).Select(i => i switch
            {
                50 => new BsonDocument { { "_id", i }, { "n", i }, { "late", "x" }, { "deep", new BsonDocument("er", true) } },
                > 60 => new BsonDocument { { "_id", i }, { "n", i + 0.5 } },
                _ => new BsonDocument { { "_id", i }, { "n", i } },
            }));
            var result = await new SyncEngine(new SyncEngineOptions { SampleSize = 10 }).RunAsync(connector, store, observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(50, result.RowsWritten);
            Assert.Contains(observer.Notes, n => n.Contains("added late Nullable(String), deep_er Nullable(Bool)", StringComparison.Ordinal));
            var columns = (await servers.ClickHouse.QueryAsync($"SELECT name, type FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events' ORDER BY position"))
                .Select(r => $"{r[0]} {r[1]}").ToList();
            Assert.Equal(["_id String", "n Nullable(Float64)", "late Nullable(String)", "deep_er Nullable(Bool)", $"_zenith_extra {servers.JsonType}", "_zenith_synced_at DateTime64(3, 'UTC')", "_zenith_version UInt64", IdType], columns);
            var rows = await servers.ClickHouse.QueryAsync($"SELECT _id, n, late, deep_er FROM `{connector.Destination.Database}`.`events` FINAL WHERE _id IN ('49', '50', '61')  ORDER BY _id");
            Assert.Equal<object?[]>([["49", 49.0, null, null], ["50", 50.0, "x", true], ["61", 61.5, null, null]], rows);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Theory]
    [InlineData(SyncMode.IncrementalId)]
    [InlineData(SyncMode.IncrementalTimestamp)]
    public async Task An_empty_collection_creates_a_table_of_the_metadata_columns_and_later_documents_add_theirs(SyncMode mode)
    {
        var connector = servers.NewConnector(mode);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await servers.Mongo.Client.GetDatabase(connector.Source.Database).CreateCollectionAsync("events");
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(0, first.RowsWritten);
            Assert.Null(first.Checkpoint);
            Assert.False((await store.LoadAsync(connector.Id, default))!.HasPosition, "an empty collection leaves no position, only the version floor");
            var table = $"`{connector.Destination.Database}`.`events`";
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table}"));

            await servers.Collection(connector).InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 }, { "updated_at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) } });
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(1, second.RowsWritten);
            Assert.Equal(1, await servers.ClickHouse.ScalarAsync<int>($"SELECT n FROM {table} FINAL"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
