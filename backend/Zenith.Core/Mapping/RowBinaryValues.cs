using System.Buffers.Binary;
using System.Text;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;

namespace Zenith.Core.Mapping;

/// <summary>
/// Writes single values in ClickHouse's RowBinary for their column type: what <see cref="RowEncoder"/> emits once it has found
/// each field's column. Numbers widen on the way (an Int32 into an Int64 or Float64 column), anything in a String column is its
/// text. Not thread-safe: one per encoder (it reuses its text buffer).
/// </summary>
internal sealed class RowBinaryValues : IDisposable
{
    private readonly BsonText _text = new();
    private readonly PooledBuffer _scratch = new(4096);

    /// <summary><c>_id</c> is always a String column: strings as they are, other types as their text.</summary>
    public void WriteId(RawElement element, PooledBuffer output)
    {
        if (element.Type == BsonTypeCode.String)
        {
            output.WriteString(element.StringBytes);
            return;
        }

        WriteText(element, output);
    }

    /// <summary>A value of a column of type <paramref name="type"/>: a Nullable scalar (not null) or an array.</summary>
    public void WriteValue(ColumnType type, RawElement element, PooledBuffer output)
    {
        if (type.IsArray)
        {
            var count = 0;
            var counter = new BsonElementReader(element.Value);
            while (counter.MoveNext())
            {
                count++;
            }

            output.WriteVarUInt((ulong)count);
            var items = new BsonElementReader(element.Value);
            while (items.MoveNext())
            {
                WriteScalar(type.Kind, items.Current, output);
            }

            return;
        }

        output.WriteByte(0);
        WriteScalar(type.Kind, element, output);
    }

    private void WriteScalar(ColumnKind kind, RawElement element, PooledBuffer output)
    {
        switch (kind)
        {
            case ColumnKind.Int32:
                output.WriteInt32(element.Int32Value);
                break;
            case ColumnKind.Int64:
                output.WriteInt64(element.Type == BsonTypeCode.Int32 ? element.Int32Value : element.Int64Value);
                break;
            case ColumnKind.Float64:
                output.WriteDouble(element.Type switch
                {
                    BsonTypeCode.Int32 => element.Int32Value,
                    BsonTypeCode.Int64 => element.Int64Value,
                    _ => element.DoubleValue,
                });
                break;
            case ColumnKind.Bool:
                output.WriteByte(element.BooleanValue ? (byte)1 : (byte)0);
                break;
            case ColumnKind.DateTime64:
                output.WriteInt64(element.Int64Value);
                break;
            case ColumnKind.UInt64:
                output.WriteUInt64((ulong)element.Int64Value);
                break;
            case ColumnKind.Uuid:
                // ClickHouse's binary UUID is two little-endian UInt64 halves of the big-endian UUID bytes.
                var uuid = element.Value.Slice(5, 16);
                output.WriteUInt64(BinaryPrimitives.ReadUInt64BigEndian(uuid));
                output.WriteUInt64(BinaryPrimitives.ReadUInt64BigEndian(uuid[8..]));
                break;
            default:
                if (element.Type == BsonTypeCode.String)
                {
                    output.WriteString(element.StringBytes);
                    break;
                }

                WriteText(element, output);
                break;
        }
    }

    /// <summary>The value's text (see <see cref="BsonText"/>) as a RowBinary String: its length comes first, so it is made aside.</summary>
    private void WriteText(RawElement element, PooledBuffer output)
    {
        _scratch.Length = 0;
        _text.Write(element, _scratch);
        output.WriteString(_scratch.WrittenSpan);
    }

    /// <summary>The <c>_id</c> of a document as text, for failure reports; never throws.</summary>
    public string DocumentId(ReadOnlySpan<byte> document)
    {
        try
        {
            var reader = new BsonElementReader(document);
            while (reader.MoveNext())
            {
                if (reader.Current.Name.SequenceEqual("_id"u8))
                {
                    _scratch.Length = 0;
                    _text.Write(reader.Current, _scratch);
                    return Encoding.UTF8.GetString(_scratch.WrittenSpan);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return "(unreadable)";
        }

        return "(none)";
    }

    public void Dispose() => _scratch.Dispose();
}
