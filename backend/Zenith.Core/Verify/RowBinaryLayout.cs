using Zenith.Core.Mapping;

namespace Zenith.Core.Verify;

/// <summary>
/// Where one value ends in a RowBinary row, for every column type the encoder writes (<see cref="ColumnType"/>): how a row read
/// back from ClickHouse, or one the encoder made, is cut into its columns to compare them one by one. RowBinary is the same on
/// the way in and out for these types, so equal bytes are equal values. A new column type needs its case here.
/// </summary>
public static class RowBinaryLayout
{
    /// <summary>The length of the value of a column of type <paramref name="type"/> at the start of <paramref name="row"/>.</summary>
    public static int Measure(ColumnType type, ReadOnlySpan<byte> row)
    {
        switch (type.Shape)
        {
            case ColumnShape.Array or ColumnShape.Nested or ColumnShape.Map:
            {
                // Array(T); a Nested member's Array(Nullable(T)); Map(String, T) as (key, value) pairs.
                var count = ReadVarUInt(row, out var position);
                for (ulong i = 0; i < count; i++)
                {
                    if (type.Shape == ColumnShape.Map)
                    {
                        position += StringLength(row[position..]);
                    }

                    position += type.Shape == ColumnShape.Nested && row[position] == 1 ? 1
                        : type.Shape == ColumnShape.Nested ? 1 + MeasureScalar(type.Kind, row[(position + 1)..])
                        : MeasureScalar(type.Kind, row[position..]);
                }

                return position;
            }

            case ColumnShape.Scalar when type.Kind == ColumnKind.Json:
                // The JSON type is not Nullable; Zenith writes it, and reads it back, as text.
                return StringLength(row);
        }

        return row[0] == 1 ? 1 : 1 + MeasureScalar(type.Kind, row[1..]);
    }

    /// <summary>A RowBinary String at the start of <paramref name="row"/>: its bytes and its whole length (prefix included).</summary>
    public static ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> row, out int length)
    {
        var size = (int)ReadVarUInt(row, out var start);
        length = start + size;
        return row.Slice(start, size);
    }

    private static int MeasureScalar(ColumnKind kind, ReadOnlySpan<byte> value) => kind switch
    {
        ColumnKind.Int32 => 4,
        ColumnKind.Int64 or ColumnKind.Float64 or ColumnKind.DateTime64 or ColumnKind.UInt64 => 8,
        ColumnKind.Bool => 1,
        ColumnKind.Uuid => 16,
        _ => StringLength(value),
    };

    private static int StringLength(ReadOnlySpan<byte> value)
    {
        var size = ReadVarUInt(value, out var start);
        return checked(start + (int)size);
    }

    /// <summary>LEB128, as RowBinary writes lengths.</summary>
    public static ulong ReadVarUInt(ReadOnlySpan<byte> bytes, out int length)
    {
        ulong value = 0;
        var shift = 0;
        for (length = 0; length < 10; length++)
        {
            var b = bytes[length];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                length++;
                return value;
            }

            shift += 7;
        }

        throw new FormatException("malformed RowBinary length");
    }
}
