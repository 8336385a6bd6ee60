using MongoDB.Bson;
using Snapshooter.Xunit;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

public class MappingTests
{
    private static BsonDocument Tricky() => new()
    {
        { "_id", ObjectId.Parse("650000000000000000000001") },
        { "name", "Ann" },
        { "n", 1 },
        { "big", 1L << 40 },
        { "price", 9.5 },
        { "dec", Decimal128.Parse("12.345") },
        { "ok", true },
        { "at", new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc) },
        { "ancient", new DateTime(1800, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        { "ts", new BsonTimestamp(1_700_000_000, 7) },
        { "uuid", new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard) },
        { "bin", new BsonBinaryData([1, 2, 3]) },
        { "tags", new BsonArray { "a", "b" } },
        { "nums", new BsonArray { 1, 2L, 3.5 } },
        { "mixed", new BsonArray { 1, "x" } },
        { "nested", new BsonArray { new BsonArray { 1 } } },
        { "empty", new BsonArray() },
        { "nothing", BsonNull.Value },
        { "address", new BsonDocument { { "city", "Tashkent" }, { "geo", new BsonDocument { { "lat", 41.3 }, { "deep", new BsonDocument("x", 1) } } } } },
        { "a.b", 1 },
        { "with space", 2 },
        { "quote`s'", 3 },
        { "$dollar", 4 },
        { "ünï", 5 },
        { "address_city", "collides" },
        { "re", new BsonRegularExpression("^a", "i") },
    };

    private static TableSchema Infer(params BsonDocument[] docs)
    {
        var builder = new SchemaBuilder(MappingOptions.Default);
        foreach (var doc in docs)
        {
            builder.Observe(doc.ToBson());
        }

        return builder.Build().Schema;
    }

    [Fact]
    public void Ddl_of_a_tricky_document_matches_the_snapshot()
    {
        var ddl = Ddl.CreateTable("analytics", "events`x", Infer(Tricky()), TableOptions.Default);
        Snapshot.Match(ddl);
    }

    [Fact]
    public void Ddl_with_table_options_and_an_alter_match_the_snapshot()
    {
        var schema = Infer(new BsonDocument { { "_id", 1 }, { "n", 1 } });
        var builder = new SchemaBuilder(MappingOptions.Default, schema);
        builder.Observe(new BsonDocument { { "_id", 2 }, { "n", 2.5 }, { "extra", "x" } }.ToBson());
        var (_, change) = builder.Build();
        var text = Ddl.CreateTable("db", "t", schema, new TableOptions("(n, _id)", "toYYYYMM(now())", "toDateTime(_zenith_synced_at) + INTERVAL 1 YEAR"))
            + "\n\n" + Ddl.AlterTable("db", "t", change);
        Snapshot.Match(text);
    }

    [Fact]
    public void Conflicting_types_widen_and_never_narrow()
    {
        var schema = Infer(new BsonDocument("v", 1), new BsonDocument("v", 2L), new BsonDocument("w", 1), new BsonDocument("w", "x"),
            new BsonDocument("a", new BsonArray { 1 }), new BsonDocument("a", new BsonArray { 1.5 }));
        Assert.Equal("Nullable(Int64)", schema.Columns.Single(c => c.Name == "v").Type.ToClickHouse());
        Assert.Equal("Nullable(String)", schema.Columns.Single(c => c.Name == "w").Type.ToClickHouse());
        Assert.Equal("Array(Float64)", schema.Columns.Single(c => c.Name == "a").Type.ToClickHouse());
    }

    [Fact]
    public void Depth_limit_keeps_deeper_parts_as_json_text()
    {
        var schema = Infer(new BsonDocument("a", new BsonDocument("b", new BsonDocument("c", new BsonDocument("d", 1)))));
        Assert.Equal(["a_b_c", "_zenith_extra"], schema.Columns.Select(c => c.Name));
        Assert.Equal(ColumnRole.Json, schema.Columns[0].Role);
        var one = new SchemaBuilder(new MappingOptions("__", 1));
        one.Observe(new BsonDocument("a", new BsonDocument("b", 1)).ToBson());
        Assert.Equal(["a", "_zenith_extra"], one.Build().Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Flattened_row_of_a_tricky_document_matches_the_snapshot()
    {
        var doc = Tricky();
        var schema = Infer(doc);
        using var encoder = new RowEncoder(MappingOptions.Default);
        using var output = new PooledBuffer();
        var failures = new List<DocumentFailure>();
        var status = encoder.Encode(doc.ToBson(), schema, 0, 1, output, failures, out var rows);
        Assert.Equal(EncodeStatus.Done, status);
        Assert.Equal(1, rows);
        Assert.Empty(failures);
        Snapshot.Match(RowBinaryText.Describe(schema, output.WrittenSpan.ToArray()));
    }

    [Fact]
    public void A_document_with_a_new_field_asks_for_a_schema_change()
    {
        var schema = Infer(new BsonDocument { { "_id", 1 }, { "n", 1 } });
        using var encoder = new RowEncoder(MappingOptions.Default);
        using var output = new PooledBuffer();
        var status = encoder.Encode(new BsonDocument { { "_id", 2 }, { "m", 1 } }.ToBson(), schema, 0, 1, output, new List<DocumentFailure>(), out _);
        Assert.Equal(EncodeStatus.NeedsSchemaChange, status);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void A_document_without_id_is_reported_and_the_batch_goes_on()
    {
        var schema = Infer(new BsonDocument { { "_id", 1 }, { "n", 1 } });
        using var encoder = new RowEncoder(MappingOptions.Default);
        using var output = new PooledBuffer();
        var failures = new List<DocumentFailure>();
        var bytes = new BsonDocument("n", 5).ToBson().Concat(new BsonDocument { { "_id", 3 }, { "n", 6 } }.ToBson()).ToArray();
        encoder.Encode(bytes, schema, 0, 1, output, failures, out var rows);
        Assert.Equal(1, rows);
        Assert.Equal("document has no _id", Assert.Single(failures).Reason);
    }

    [Theory]
    [InlineData("zenith mapping abc123", "abc123", null)]
    [InlineData("zenith mapping abc123; loaded by Zenith run 42", "abc123", "42")]
    [InlineData("loaded by Zenith run 42", null, "42")]
    [InlineData("someone else's note", null, null)]
    [InlineData("", null, null)]
    public void The_table_comment_carries_the_mapping_fingerprint_and_the_loading_run(string comment, string? fingerprint, string? run)
    {
        Assert.Equal(new TableMark(fingerprint, run), Ddl.ParseTableComment(comment));
        if (fingerprint is not null)
        {
            Assert.Equal(new TableMark(fingerprint, run), Ddl.ParseTableComment(Ddl.TableComment(fingerprint, run)));
        }
    }
}
