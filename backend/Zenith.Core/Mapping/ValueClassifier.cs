using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>The type rules: which column type one BSON value needs.</summary>
public static class ValueClassifier
{
    /// <summary>DateTime64(3) holds 1900-01-01 .. 2299-12-31; dates outside keep their column typed and go to <c>_zenith_extra</c>.</summary>
    public const long MinDateTime64Millis = -2_208_988_800_000;
    public const long MaxDateTime64Millis = 10_413_791_999_999;

    /// <summary>True when the element carries no value (null, undefined).</summary>
    public static bool IsNull(byte type) => type is BsonTypeCode.Null or BsonTypeCode.Undefined;

    /// <summary>The type of a scalar or array value (documents are flattened by the caller, nulls skipped).</summary>
    public static ColumnType Classify(in RawElement element, LegacyUuid uuid = LegacyUuid.None)
    {
        if (element.Type == BsonTypeCode.Array)
        {
            return ClassifyArray(element.Value, uuid);
        }

        var kind = ScalarKind(element, uuid);
        return kind is null ? ColumnType.String : ColumnType.Scalar(kind.Value);
    }

    /// <summary>The scalar kind of a value that has a typed column, or null when it is stored as text.</summary>
    public static ColumnKind? ScalarKind(in RawElement element, LegacyUuid uuid = LegacyUuid.None) => element.Type switch
    {
        BsonTypeCode.Int32 => ColumnKind.Int32,
        BsonTypeCode.Int64 => ColumnKind.Int64,
        BsonTypeCode.Double => ColumnKind.Float64,
        BsonTypeCode.Boolean => ColumnKind.Bool,
        BsonTypeCode.DateTime => ColumnKind.DateTime64,
        BsonTypeCode.Timestamp => ColumnKind.UInt64,
        BsonTypeCode.Binary => IsUuid(element.Value, uuid) ? ColumnKind.Uuid : null,
        _ => null,
    };

    /// <summary>Whether a DateTime value fits DateTime64(3)'s range.</summary>
    public static bool DateInRange(long millis) => millis is >= MinDateTime64Millis and <= MaxDateTime64Millis;

    /// <summary>Subtype 4, or subtype 3 when the connector says which legacy byte order wrote it.</summary>
    public static bool IsUuid(ReadOnlySpan<byte> binaryValue, LegacyUuid uuid = LegacyUuid.None) =>
        binaryValue.Length == 21 && binaryValue[0] == 16 && (binaryValue[4] == 4 || (binaryValue[4] == 3 && uuid != LegacyUuid.None));

    /// <summary>Arrays of one scalar kind (numbers widened) become Array(kind); anything else is text.</summary>
    public static ColumnType ClassifyArray(ReadOnlySpan<byte> arrayDocument, LegacyUuid uuid = LegacyUuid.None)
    {
        var reader = new BsonElementReader(arrayDocument);
        var kind = ColumnKind.Unknown;
        while (reader.MoveNext())
        {
            var element = reader.Current;
            if (element.Type is BsonTypeCode.String)
            {
                if (kind is not (ColumnKind.Unknown or ColumnKind.String))
                {
                    return ColumnType.String;
                }

                kind = ColumnKind.String;
                continue;
            }

            var elementKind = ScalarKind(element, uuid);
            if (elementKind is null)
            {
                return ColumnType.String;
            }

            var widened = ColumnType.WidenKind(kind, elementKind.Value);
            if (widened == ColumnKind.String)
            {
                return ColumnType.String;
            }

            kind = widened;
        }

        return ColumnType.ArrayOf(kind);
    }
}
