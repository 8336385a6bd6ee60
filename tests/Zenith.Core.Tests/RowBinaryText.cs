using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

/// <summary>Reads RowBinary back into "column = value" lines, so a snapshot shows what ClickHouse receives.</summary>
internal static class RowBinaryText
{
    public static string Describe(TableSchema schema, byte[] row)
    {
        var pos = 0;
        var text = new StringBuilder();
        text.Append("_id = ").Append(ReadString(row, ref pos)).Append('\n');
        foreach (var column in schema.Columns)
        {
            text.Append(column.Name).Append(" (").Append(column.Type).Append(") = ");
            if (column.Type.Kind == ColumnKind.Json)
            {
                text.Append(ReadString(row, ref pos));
            }
            else if (column.Type.Shape == ColumnShape.Map)
            {
                var count = (int)ReadVarUInt(row, ref pos);
                var entries = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    var key = ReadString(row, ref pos);
                    entries.Add(key + ": " + ReadScalar(column.Type.Kind, row, ref pos));
                }

                text.Append('{').AppendJoin(", ", entries).Append('}');
            }
            else if (column.Type.Shape == ColumnShape.Nested)
            {
                var count = (int)ReadVarUInt(row, ref pos);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(row[pos++] == 1 ? "NULL" : ReadScalar(column.Type.Kind, row, ref pos));
                }

                text.Append('[').AppendJoin(", ", items).Append(']');
            }
            else if (column.Type.IsArray)
            {
                var count = (int)ReadVarUInt(row, ref pos);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(ReadScalar(column.Type.Kind, row, ref pos));
                }

                text.Append('[').AppendJoin(", ", items).Append(']');
            }
            else if (row[pos++] == 1)
            {
                text.Append("NULL");
            }
            else
            {
                text.Append(ReadScalar(column.Type.Kind, row, ref pos));
            }

            text.Append('\n');
        }

        text.Append("_zenith_synced_at = ").Append(BinaryPrimitives.ReadInt64LittleEndian(row.AsSpan(pos))).Append('\n');
        text.Append("_zenith_version = ").Append(BinaryPrimitives.ReadUInt64LittleEndian(row.AsSpan(pos + 8)));
        pos += 16;
        if (schema.HasIdType)
        {
            text.Append("\n_zenith_id_type = ").Append((sbyte)row[pos++]);
        }

        Assert.Equal(row.Length, pos);
        return text.ToString();
    }

    private static string ReadScalar(ColumnKind kind, byte[] row, ref int pos)
    {
        var span = row.AsSpan(pos);
        switch (kind)
        {
            case ColumnKind.Int32: pos += 4; return BinaryPrimitives.ReadInt32LittleEndian(span).ToString(CultureInfo.InvariantCulture);
            case ColumnKind.Int64: pos += 8; return BinaryPrimitives.ReadInt64LittleEndian(span).ToString(CultureInfo.InvariantCulture);
            case ColumnKind.Float64: pos += 8; return BinaryPrimitives.ReadDoubleLittleEndian(span).ToString("R", CultureInfo.InvariantCulture);
            case ColumnKind.Bool: pos += 1; return span[0] == 1 ? "true" : "false";
            case ColumnKind.DateTime64: pos += 8; return DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span)).ToString("O", CultureInfo.InvariantCulture);
            case ColumnKind.UInt64: pos += 8; return BinaryPrimitives.ReadUInt64LittleEndian(span).ToString(CultureInfo.InvariantCulture);
            case ColumnKind.Uuid: pos += 16; return Convert.ToHexString(span[..16]);
            default: return "\"" + ReadString(row, ref pos) + "\"";
        }
    }

    private static string ReadString(byte[] row, ref int pos)
    {
        var length = (int)ReadVarUInt(row, ref pos);
        var value = Encoding.UTF8.GetString(row, pos, length);
        pos += length;
        return value;
    }

    private static ulong ReadVarUInt(byte[] row, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = row[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
