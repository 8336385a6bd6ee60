using MongoDB.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

/// <summary>The table's identity: the sorting key ends with the _id's type and the _id; key columns are never widened (a value that does not fit one is kept in _zenith_extra).</summary>
public sealed class KeyColumnsTests
{
    [Theory]
    [InlineData(null, "(`_zenith_id_type`, `_id`)")]
    [InlineData("created_at", "(created_at, `_zenith_id_type`, `_id`)")]
    [InlineData("(org_id, created_at)", "(org_id, created_at, `_zenith_id_type`, `_id`)")]
    [InlineData(" org_id , `_id` ", "(org_id, `_zenith_id_type`, `_id`)")]
    [InlineData("(toDate(t), n), _id", "((toDate(t), n), `_zenith_id_type`, `_id`)")]
    [InlineData("concat(a, ','), `we,ird`", "(concat(a, ','), `we,ird`, `_zenith_id_type`, `_id`)")]
    public void A_users_order_by_becomes_the_prefix_of_the_identity(string? orderBy, string key) =>
        Assert.Equal(key, KeyColumns.SortingKey(orderBy));

    [Fact]
    public void A_key_column_is_never_widened_and_a_value_that_does_not_fit_goes_to_the_extra_column_and_is_counted()
    {
        var schema = TableSchema.Create(
            [new ColumnDef("n", ColumnType.Scalar(ColumnKind.Int32), ["n"]), new ColumnDef("m", ColumnType.Scalar(ColumnKind.Int32), ["m"])],
            hasIdType: true,
            keyColumns: ["n"]);
        var builder = new SchemaBuilder(MappingOptions.Default, schema);
        builder.Observe(new BsonDocument { { "_id", 1 }, { "n", "text" }, { "m", 2L } }.ToBson());
        var (built, change) = builder.Build();
        Assert.Equal(["m"], change.Widened.Select(c => c.Name));
        Assert.Equal("Nullable(Int32)", built.Columns[0].Type.ToClickHouse());
        Assert.Equal(["n"], built.KeyColumnNames);
        Assert.True(built.HasIdType);

        using var encoder = new RowEncoder(MappingOptions.Default);
        using var output = new PooledBuffer();
        var failures = new List<DocumentFailure>();
        var status = encoder.Encode(new BsonDocument { { "_id", "x" }, { "n", "text" }, { "m", 2L } }.ToBson(), built, 0, 1, output, failures, out var rows);
        Assert.Equal(EncodeStatus.Done, status);
        Assert.Equal(1, rows);
        Assert.Empty(failures);
        Assert.Equal("_id = x\nn (Nullable(Int32)) = NULL\nm (Nullable(Int64)) = 2\n_zenith_extra (JSON) = {\"n\":\"text\"}\n_zenith_synced_at = 0\n_zenith_version = 1\n_zenith_id_type = 15", RowBinaryText.Describe(built, output.WrittenSpan.ToArray()));
        var (values, columns) = encoder.TakeKeyMisfits();
        Assert.Equal(1, values);
        Assert.Equal("n (Nullable(Int32))", KeyColumns.Names(built, columns));
        Assert.Equal(0, encoder.TakeKeyMisfits().Values);
    }

    [Fact]
    public void The_id_type_tells_one_and_the_text_one_apart_but_not_one_and_one_point_zero()
    {
        var schema = TableSchema.Create([], hasIdType: true);
        using var encoder = new RowEncoder(MappingOptions.Default);
        string Row(BsonValue id)
        {
            using var output = new PooledBuffer();
            encoder.Encode(new BsonDocument("_id", id).ToBson(), schema, 0, 1, output, new List<DocumentFailure>(), out _);
            return RowBinaryText.Describe(schema, output.WrittenSpan.ToArray()).Split('\n')[^1];
        }

        Assert.Equal("_zenith_id_type = 10", Row(1));
        Assert.Equal("_zenith_id_type = 10", Row(1.0));
        Assert.Equal("_zenith_id_type = 15", Row("1"));
        Assert.Equal("_zenith_id_type = 35", Row(ObjectId.Parse("650000000000000000000003")));
        Assert.Equal("_zenith_id_type = 30", Row(new BsonBinaryData(Guid.Empty, GuidRepresentation.Standard)));
    }
}
