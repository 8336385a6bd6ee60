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

    /// <summary>Binary subtype 4 (standard UUID).</summary>
    Uuid,

    /// <summary>Strings, and the text of anything that has no better type (canonical JSON, hex, base64).</summary>
    String,
}

/// <summary>A column type: a scalar kind, or an array of one. Scalars are Nullable in ClickHouse; arrays are not (missing = []).</summary>
public readonly record struct ColumnType(ColumnKind Kind, bool IsArray)
{
    public static readonly ColumnType String = new(ColumnKind.String, false);

    /// <summary>An empty array: fits any array column.</summary>
    public static readonly ColumnType EmptyArray = new(ColumnKind.Unknown, true);

    public static ColumnType Scalar(ColumnKind kind) => new(kind, false);

    public static ColumnType ArrayOf(ColumnKind kind) => new(kind, true);

    /// <summary>The narrowest type holding values of both types: Int32 → Int64 → Float64, arrays element-wise, anything else → String.</summary>
    public static ColumnType Widen(ColumnType a, ColumnType b)
    {
        if (a == b)
        {
            return a;
        }

        if (a.IsArray != b.IsArray)
        {
            return String;
        }

        return new ColumnType(WidenKind(a.Kind, b.Kind), a.IsArray);
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

    /// <summary>Whether a value of type <paramref name="value"/> can be written into a column of this type without changing it.</summary>
    public bool Accepts(ColumnType value) => Widen(this, value) == this;

    private static bool IsNumeric(ColumnKind kind) => kind is ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Float64;

    /// <summary>The ClickHouse type, e.g. <c>Nullable(Int64)</c> or <c>Array(String)</c>.</summary>
    public string ToClickHouse()
    {
        var scalar = ScalarName(Kind == ColumnKind.Unknown ? ColumnKind.String : Kind);
        return IsArray ? $"Array({scalar})" : $"Nullable({scalar})";
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
        _ => "String",
    };

    /// <summary>Parses a type written by <see cref="ToClickHouse"/> (as <c>system.columns</c> shows it); null for anything else.</summary>
    public static ColumnType? Parse(string clickHouseType)
    {
        var isArray = false;
        var inner = clickHouseType;
        if (inner.StartsWith("Nullable(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            inner = inner[9..^1];
        }
        else if (inner.StartsWith("Array(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            inner = inner[6..^1];
            isArray = true;
        }
        else
        {
            return null;
        }

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
        return kind is null ? null : new ColumnType(kind.Value, isArray);
    }
}
