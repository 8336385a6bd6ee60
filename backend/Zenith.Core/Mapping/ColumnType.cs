// CA1720: these members are named after the BSON and ClickHouse types they stand for, on purpose.
#pragma warning disable CA1720
namespace Zenith.Core.Mapping;

/// <summary>The scalar ClickHouse types Zenith maps BSON values to.</summary>
public enum ColumnKind
{
    /// <summary>Type not known yet: only nulls or empty arrays were seen.</summary>
    Unknown,
    Int32,
    Int64,
    Float64,
    Bool,

    /// <summary>BSON DateTime: DateTime64(3, 'UTC').</summary>
    DateTime64,

    /// <summary>BSON Timestamp kept exactly as its 64-bit value (seconds &lt;&lt; 32 | increment).</summary>
    UInt64,

    /// <summary>Binary subtype 4 (standard UUID), and subtype 3 when the connector names its legacy byte order.</summary>
    Uuid,

    /// <summary>Strings, and the text of anything that has no better type (canonical JSON, hex, base64).</summary>
    String,

    /// <summary>ClickHouse's <c>JSON</c> type (servers that have it): a sub-document kept whole, its paths queryable.</summary>
    Json,
}

/// <summary>How a column holds its values.</summary>
public enum ColumnShape
{
    /// <summary><c>Nullable(kind)</c> (or <c>JSON</c>): one value, NULL when missing.</summary>
    Scalar,

    /// <summary><c>Array(kind)</c>: missing reads as <c>[]</c>.</summary>
    Array,

    /// <summary><c>Map(String, kind)</c>: a sub-document whose keys are data; missing reads as <c>{}</c>.</summary>
    Map,

    /// <summary><c>Array(Nullable(kind))</c>: one field of the documents of an array, a member of a ClickHouse Nested group.</summary>
    Nested,
}

/// <summary>A column type: a kind and a shape. Scalars are Nullable in ClickHouse; arrays, maps and Nested members are not.</summary>
public readonly record struct ColumnType(ColumnKind Kind, ColumnShape Shape = ColumnShape.Scalar)
{
    public static readonly ColumnType String = new(ColumnKind.String);

    public static readonly ColumnType Json = new(ColumnKind.Json);

    /// <summary>An empty array: fits any array column.</summary>
    public static readonly ColumnType EmptyArray = new(ColumnKind.Unknown, ColumnShape.Array);

    public bool IsArray => Shape == ColumnShape.Array;

    public static ColumnType Scalar(ColumnKind kind) => new(kind);

    public static ColumnType ArrayOf(ColumnKind kind) => new(kind, ColumnShape.Array);

    /// <summary>
    /// The narrowest type holding values of both types, for columns that hold no rows yet (a sample): Int32 → Int64 → Float64,
    /// arrays element-wise, anything else → String. Whether the numbers fit exactly is <see cref="TypeFit"/>'s to say.
    /// </summary>
    public static ColumnType Widen(ColumnType a, ColumnType b)
    {
        if (a == b || b == EmptyArray)
        {
            return a;
        }

        if (a == EmptyArray)
        {
            return b;
        }

        if (a.Shape != b.Shape)
        {
            return String;
        }

        return new ColumnType(WidenKind(a.Kind, b.Kind), a.Shape);
    }

    public static ColumnKind WidenKind(ColumnKind a, ColumnKind b)
    {
        if (a == b || b == ColumnKind.Unknown)
        {
            return a;
        }

        if (a == ColumnKind.Unknown)
        {
            return b;
        }

        return IsNumeric(a) && IsNumeric(b) ? (ColumnKind)Math.Max((int)a, (int)b) : ColumnKind.String;
    }

    public static bool IsNumeric(ColumnKind kind) => kind is ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Float64;

    /// <summary>The ClickHouse type, e.g. <c>Nullable(Int64)</c>, <c>Array(String)</c>, <c>Map(String, Int64)</c>, <c>JSON</c>.</summary>
    public string ToClickHouse()
    {
        var scalar = ScalarName(Kind == ColumnKind.Unknown ? ColumnKind.String : Kind);
        return Shape switch
        {
            ColumnShape.Array => $"Array({scalar})",
            ColumnShape.Map => $"Map(String, {scalar})",
            ColumnShape.Nested => $"Array(Nullable({scalar}))",
            _ when Kind == ColumnKind.Json => scalar,
            _ => $"Nullable({scalar})",
        };
    }

    public override string ToString() => ToClickHouse();

    public static string ScalarName(ColumnKind kind) => kind switch
    {
        ColumnKind.Int32 => "Int32",
        ColumnKind.Int64 => "Int64",
        ColumnKind.Float64 => "Float64",
        ColumnKind.Bool => "Bool",
        ColumnKind.DateTime64 => "DateTime64(3, 'UTC')",
        ColumnKind.UInt64 => "UInt64",
        ColumnKind.Uuid => "UUID",
        ColumnKind.Json => "JSON",
        _ => "String",
    };

    /// <summary>Parses a type written by <see cref="ToClickHouse"/> (as <c>system.columns</c> shows it); null for anything else.</summary>
    public static ColumnType? Parse(string clickHouseType)
    {
        ArgumentNullException.ThrowIfNull(clickHouseType);
        if (clickHouseType == "JSON")
        {
            return Json;
        }

        var (shape, inner) = clickHouseType switch
        {
            _ when Unwrap(clickHouseType, "Nullable(") is { } s => (ColumnShape.Scalar, s),
            _ when Unwrap(clickHouseType, "Array(Nullable(") is { } n && n.EndsWith(')') => (ColumnShape.Nested, n[..^1]),
            _ when Unwrap(clickHouseType, "Array(") is { } a => (ColumnShape.Array, a),
            _ when Unwrap(clickHouseType, "Map(String, ") is { } m => (ColumnShape.Map, m),
            _ => (ColumnShape.Scalar, (string?)null),
        };
        ColumnKind? kind = inner switch
        {
            "Int32" => ColumnKind.Int32,
            "Int64" => ColumnKind.Int64,
            "Float64" => ColumnKind.Float64,
            "Bool" => ColumnKind.Bool,
            "DateTime64(3, 'UTC')" => ColumnKind.DateTime64,
            "UInt64" => ColumnKind.UInt64,
            "UUID" => ColumnKind.Uuid,
            "String" => ColumnKind.String,
            _ => null,
        };
        return kind is null ? null : new ColumnType(kind.Value, shape);
    }

    private static string? Unwrap(string type, string prefix) =>
        type.StartsWith(prefix, StringComparison.Ordinal) && type.EndsWith(')') ? type[prefix.Length..^1] : null;
}
