using System.Text.Json;
using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests.Mapping;

/// <summary>Field rules and key columns against the real engine: each rule does what it says, and nothing else changes a value.</summary>
[Collection(ServersCollection.Name)]
public sealed class FieldRuleTests(Servers servers)
{
    private static readonly string IdType = "_zenith_id_type " + Zenith.Core.Mapping.KeyColumns.IdTypeDefinition;

    private static IEnumerable<BsonDocument> Orders() => Enumerable.Range(0, 40).Select(i => new BsonDocument
    {
        { "_id", i },
        { "customer", new BsonDocument { { "name", $"c{i}" }, { "email", $"c{i}@example.com" }, { "address", new BsonDocument { { "city", "Tashkent" }, { "zip", i } } } } },
        { "amount", i % 2 == 0 ? (BsonValue)i : i + 0.25 },
        { "meta", new BsonDocument { { "source", "web" }, { "v", i } } },
        { "attributes", new BsonDocument { { "color", "red" }, { "size", "L" } } },
        { "sku", $"SKU-{i}" },
    });

    [Fact]
    public async Task Exclude_json_map_type_rename_and_the_whole_document_each_do_what_they_say()
    {
        var mapping = new MappingOptions
        {
            WholeDocument = true,
            Rules =
            [
                new FieldRule("customer.email", FieldAction.Exclude),
                new FieldRule("customer.address", FieldAction.Json),
                new FieldRule("attributes", FieldAction.Map),
                new FieldRule("amount", FieldAction.Type, "String"),
                new FieldRule("sku", FieldAction.Rename, "product_code"),
            ],
        };
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: mapping);
        try
        {
            await servers.Collection(connector).InsertManyAsync(Orders());
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            var db = connector.Destination.Database;
            var columns = (await servers.ClickHouse.QueryAsync($"SELECT name, type FROM system.columns WHERE database = '{db}' AND table = 'events' ORDER BY position"))
                .Select(r => $"{r[0]} {r[1]}").ToList();
            string[] expected =
            [
                "_id String", "customer_name Nullable(String)", $"customer_address {servers.JsonType}", "amount Nullable(String)", "meta_source Nullable(String)", "meta_v Nullable(Int32)",
                "attributes Map(String, String)", "product_code Nullable(String)", $"_zenith_extra {servers.JsonType}", $"_zenith_doc {servers.JsonType}", "_zenith_synced_at DateTime64(3, 'UTC')", "_zenith_version UInt64", IdType,
            ];
            Assert.Equal(expected, columns);
            var row = (await servers.ClickHouse.QueryAsync($"SELECT amount, attributes['size'], product_code, {servers.JsonText("customer_address")}, {servers.JsonText("_zenith_extra")}, {servers.JsonText("_zenith_doc")} FROM `{db}`.`events` FINAL WHERE _id = '3'")).Single();
            Assert.Equal("3.25", row[0]);
            Assert.Equal("L", row[1]);
            Assert.Equal("SKU-3", row[2]);
            Assert.Equal("{\"city\":\"Tashkent\",\"zip\":3}", row[3]);
            Assert.Equal("{}", row[4]);
            // The whole document is kept beside the typed columns, the excluded field too: it is the document as it was.
            Assert.Equal("c3@example.com", JsonDocument.Parse((string)row[5]!).RootElement.GetProperty("customer").GetProperty("email").GetString());
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM system.columns WHERE database = '{db}' AND table = 'events' AND name LIKE '%email%'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Include_keeps_only_its_paths_and_a_key_column_is_never_widened_its_misfits_go_to_the_overflow()
    {
        var mapping = new MappingOptions { Rules = [new FieldRule("meta", FieldAction.Include), new FieldRule("amount", FieldAction.Include)] };
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 10, mapping: mapping) with { Table = new TableOptions("(meta_v, _id)") };
        try
        {
            var collection = servers.Collection(connector);
            await collection.InsertManyAsync(Orders().Take(20));
            var store = new MemoryCheckpointStore();
            var first = await new SyncEngine().RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            // meta.v is in the sorting key: a string there does not make the column String, it goes to _zenith_extra.
            await collection.InsertOneAsync(new BsonDocument { { "_id", 100 }, { "meta", new BsonDocument("v", "not a number") }, { "amount", 7 } });
            var second = await new SyncEngine().RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            var db = connector.Destination.Database;
            var columns = (await servers.ClickHouse.QueryAsync($"SELECT name, type FROM system.columns WHERE database = '{db}' AND table = 'events' ORDER BY position")).Select(r => $"{r[0]} {r[1]}").ToList();
            Assert.Equal(["_id String", "amount Nullable(Float64)", "meta_source Nullable(String)", "meta_v Nullable(Int32)", $"_zenith_extra {servers.JsonType}", "_zenith_synced_at DateTime64(3, 'UTC')", "_zenith_version UInt64", IdType], columns);
            var warning = Assert.Single(second.Warnings!, w => w.Kind == SyncWarningKind.KeyValuesNotStored);
            Assert.StartsWith("1 value(s) did not fit the key column(s) meta_v (Nullable(Int32))", warning.Message, StringComparison.Ordinal);
            var row = (await servers.ClickHouse.QueryAsync($"SELECT meta_v, {servers.JsonText("_zenith_extra")}, amount FROM `{db}`.`events` FINAL WHERE _id = '100'")).Single();
            Assert.Null(row[0]);
            Assert.Equal("{\"meta\":{\"v\":\"not a number\"}}", row[1]);
            Assert.Equal(7.0, row[2]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
