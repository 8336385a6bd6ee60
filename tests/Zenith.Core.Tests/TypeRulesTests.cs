using MongoDB.Bson;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

/// <summary>The lossless rules, the key shapes of the map decision, key columns and names that do not depend on the sample's order.</summary>
public class TypeRulesTests
{
    private static RawElement Element(BsonValue value)
    {
        var bytes = new BsonDocument("v", value).ToBson();
        var reader = new BsonElementReader(bytes);
        Assert.True(reader.MoveNext());
        var element = reader.Current;
        return new RawElement(element.Type, default, bytes.AsSpan(element.ValueOffset, element.Value.Length).ToArray());
    }

    [Theory]
    [InlineData(ColumnKind.Float64, 9_007_199_254_740_992L, Fit.Fits)]
    [InlineData(ColumnKind.Float64, 9_007_199_254_740_993L, Fit.Spill)]
    [InlineData(ColumnKind.Int32, 5L, Fit.Widen)]
    [InlineData(ColumnKind.Int64, 5L, Fit.Fits)]
    public void An_int64_fits_a_float64_column_only_when_the_double_holds_it_exactly(ColumnKind column, long value, Fit expected) =>
        Assert.Equal(expected, TypeFit.Field(ColumnType.Scalar(column), Element(value), pinned: false, LegacyUuid.None));

    [Theory]
    [InlineData(3.0, Fit.Fits)]
    [InlineData(3.5, Fit.Spill)]
    [InlineData(-0.0, Fit.Spill)]
    [InlineData(1e19, Fit.Spill)]
    public void A_double_fits_an_int64_column_only_when_it_is_an_integer_it_holds(double value, Fit expected) =>
        // The constructor, not the implicit conversion: that one hands out a cached +0 for -0.
        Assert.Equal(expected, TypeFit.Field(ColumnType.Scalar(ColumnKind.Int64), Element(new BsonDouble(value)), pinned: false, LegacyUuid.None));

    [Fact]
    public void Dates_outside_datetime64_spill_and_key_columns_and_arrays_never_widen()
    {
        Assert.Equal(Fit.Spill, TypeFit.Field(ColumnType.Scalar(ColumnKind.DateTime64), Element(new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc)), false, LegacyUuid.None));
        Assert.Equal(Fit.Widen, TypeFit.Field(ColumnType.Scalar(ColumnKind.Int32), Element("x"), pinned: false, LegacyUuid.None));
        Assert.Equal(Fit.Spill, TypeFit.Field(ColumnType.Scalar(ColumnKind.Int32), Element("x"), pinned: true, LegacyUuid.None));
        Assert.Equal(Fit.Spill, TypeFit.Field(ColumnType.ArrayOf(ColumnKind.Int32), Element(new BsonArray { 1, "x" }), false, LegacyUuid.None));
        Assert.Equal(Fit.Widen, TypeFit.Field(ColumnType.ArrayOf(ColumnKind.Int32), Element(new BsonArray { 1, 2L }), false, LegacyUuid.None));
        Assert.Equal(ColumnType.Scalar(ColumnKind.Int32), TypeFit.WidenExisting(ColumnType.Scalar(ColumnKind.Int32), 1 << (int)ColumnKind.String, false, pinned: true));
        Assert.Equal(ColumnType.Scalar(ColumnKind.Int64), TypeFit.WidenExisting(ColumnType.Scalar(ColumnKind.Int64), 1 << (int)ColumnKind.Float64, false, pinned: false));
    }

    [Theory]
    [InlineData("a1da5513ebbbf69511de9d913b142653", KeyShape.Id)]
    [InlineData("5ca4bbcea2dd94ee58162a6a", KeyShape.Id)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", KeyShape.Id)]
    [InlineData("2024-05-01", KeyShape.Date)]
    [InlineData("2024-05", KeyShape.Date)]
    [InlineData("-12.5", KeyShape.Number)]
    [InlineData("eng", KeyShape.Code)]
    [InlineData("pt-BR", KeyShape.Code)]
    [InlineData("EUR", KeyShape.Code)]
    [InlineData("min", KeyShape.Word)]
    [InlineData("lng", KeyShape.Word)]
    [InlineData("Id", KeyShape.Word)]
    [InlineData("created_at", KeyShape.Word)]
    public void Keys_are_classified_as_data_or_field_names(string key, KeyShape expected) => Assert.Equal(expected, KeyShapes.Of(key));

    [Fact]
    public void Short_field_names_that_happen_to_be_codes_stay_fields_and_code_keyed_documents_become_maps()
    {
        var fields = Build(new BsonDocument("p", new BsonDocument { { "min", 1 }, { "max", 2 }, { "lat", 3.5 }, { "lng", 4.5 } }));
        Assert.Equal(["p_lat", "p_lng", "p_max", "p_min"], fields.Columns.Where(c => c.Role == ColumnRole.Field).Select(c => c.Name).Order());
        var map = Build(new BsonDocument("languages", new BsonDocument { { "eng", "English" }, { "fra", "French" }, { "deu", "German" } }));
        var column = Assert.Single(map.Columns, c => c.Role == ColumnRole.Map);
        Assert.Equal("Map(String, String)", column.Type.ToClickHouse());
    }

    [Fact]
    public void Colliding_names_do_not_depend_on_the_order_documents_came_in()
    {
        var a = new BsonDocument { { "_id", 1 }, { "a", new BsonDocument("b", 1) } };
        var b = new BsonDocument { { "_id", 2 }, { "a_b", "x" }, { "a.b", true } };
        // Columns follow the documents' field order; their names do not.
        var forward = Build(a, b).Columns.Select(c => $"{c.Name}={string.Join('/', c.Path)}").Order().ToList();
        var backward = Build(b, a).Columns.Select(c => $"{c.Name}={string.Join('/', c.Path)}").Order().ToList();
        Assert.Equal(forward, backward);
        Assert.Equal(["_zenith_extra=", "a_b=a_b", "a_b_2=a.b", "a_b_3=a/b"], forward);
    }

    [Theory]
    [InlineData("(toStartOfDay(`created at`), n, _id)", "created at,n,_id")]
    [InlineData("cityHash64(user_id)", "user_id,_id")]
    [InlineData(null, "_id")]
    public void Key_columns_are_the_columns_order_by_and_partition_by_name(string? orderBy, string expected)
    {
        var pinned = KeyColumns.Pinned(new TableOptions(orderBy), ["created at", "n", "user_id", "other"]);
        Assert.Equal(expected.Split(',').Order(), pinned.Order());
    }

    [Fact]
    public void A_legacy_uuid_is_a_uuid_column_in_the_order_its_driver_wrote_it()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var document = new BsonDocument { { "_id", 1 }, { "u", new BsonBinaryData(guid, GuidRepresentation.CSharpLegacy) } };
        var options = new MappingOptions { LegacyUuid = LegacyUuid.CSharp };
        var schema = Build(options, document);
        Assert.Equal("Nullable(UUID)", schema.Columns[0].Type.ToClickHouse());
        using var encoder = new RowEncoder(options);
        using var output = new PooledBuffer();
        encoder.Encode(document.ToBson(), schema, 0, 1, output, new List<DocumentFailure>(), out _);
        Assert.Contains("u (Nullable(UUID)) = 9F46CBD95BAD8F0F0E952877867065A1", RowBinaryText.Describe(schema, output.WrittenSpan.ToArray()), StringComparison.Ordinal);
        Assert.Equal("Nullable(String)", Build(document).Columns[0].Type.ToClickHouse());
    }

    [Theory]
    [InlineData("26.7.1.1", 2, true)]
    [InlineData("25.3.2.39", 2, true)]
    [InlineData("25.2.9.1", 2, false)]
    [InlineData("24.8.14.39", 2, false)]
    [InlineData("25.8.1.1", 1, false)]
    [InlineData("", 2, false)]
    public void The_json_type_is_used_from_25_3_with_both_settings(string version, long settings, bool json) =>
        Assert.Equal(json, ClickHouseFeatures.FromServer(version, settings).JsonType);

    [Fact]
    public void On_a_server_without_the_json_type_json_parts_are_string_columns_holding_json()
    {
        var document = new BsonDocument { { "_id", 1 }, { "deep", new BsonDocument("a", new BsonDocument("b", new BsonDocument("c", new BsonDocument("d", "x")))) } };
        var builder = new SchemaBuilder(MappingOptions.Default, features: ClickHouseFeatures.Legacy);
        builder.Observe(document.ToBson());
        var schema = builder.Build().Schema;
        Assert.Equal(["deep_a_b Nullable(String)", "_zenith_extra Nullable(String)"], schema.Columns.Select(c => $"{c.Name} {c.Type}"));
        using var encoder = new RowEncoder(MappingOptions.Default);
        using var output = new PooledBuffer();
        encoder.Encode(document.ToBson(), schema, 0, 1, output, new List<DocumentFailure>(), out _);
        Assert.Contains("deep_a_b (Nullable(String)) = \"{\"c\":{\"d\":\"x\"}}\"", RowBinaryText.Describe(schema, output.WrittenSpan.ToArray()), StringComparison.Ordinal);
    }

    private static TableSchema Build(params BsonDocument[] documents) => Build(MappingOptions.Default, documents);

    private static TableSchema Build(MappingOptions options, params BsonDocument[] documents)
    {
        var builder = new SchemaBuilder(options);
        foreach (var document in documents)
        {
            builder.Observe(document.ToBson());
        }

        return builder.Build().Schema;
    }
}
