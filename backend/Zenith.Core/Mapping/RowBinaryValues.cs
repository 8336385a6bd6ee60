using System.Buffers.Binary;
using System.Text;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Writes single values in ClickHouse's RowBinary for their column type: what <see cref="RowEncoder"/> emits once it has found
/// each field's column. Numbers widen on the way (an Int32 into an Int64 or Float64 column, an integral double into Int64),
/// anything in a String column is its text, JSON columns get JSON text (the server reads it with
/// <c>input_format_binary_read_json_as_string</c>). Not thread-safe: one per encoder (it reuses its text buffer).
/// </summary>
internal sealed class RowBinaryValues(LegacyUuid uuid) : IDisposable
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly BsonText _text = new();
    private readonly PooledBuffer _scratch = new(4096);

    public BsonText Text => _text;

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

    /// <summary>A value of a Field column of type <paramref name="type"/>: a Nullable scalar (not null) or an array.</summary>
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

    /// <summary>The entries of a sub-document that fit a <c>Map(String, kind)</c> (<paramref name="count"/> of them; the others went to <c>_zenith_extra</c>).</summary>
    public void WriteMap(ColumnKind kind, ReadOnlySpan<byte> document, int count, PooledBuffer output)
    {
        output.WriteVarUInt((ulong)count);
        var reader = new BsonElementReader(document);
        while (reader.MoveNext())
        {
            var entry = reader.Current;
            if (MapEntryFits(kind, entry))
            {
                output.WriteString(entry.Name);
                WriteScalar(kind, entry, output);
            }
        }
    }

    public bool MapEntryFits(ColumnKind kind, in RawElement entry) =>
        entry.Type is not (BsonTypeCode.Document or BsonTypeCode.Array) && !ValueClassifier.IsNull(entry.Type)
        && TypeFit.Scalar(kind, entry, uuid, out _) == Fit.Fits;

    /// <summary>One member of a Nested group: for each document of the array, its field <paramref name="member"/> or NULL.</summary>
    public void WriteMember(ColumnKind kind, ReadOnlySpan<byte> array, ReadOnlySpan<byte> member, PooledBuffer output)
    {
        var count = 0;
        var counter = new BsonElementReader(array);
        while (counter.MoveNext())
        {
            count++;
        }

        output.WriteVarUInt((ulong)count);
        var items = new BsonElementReader(array);
        while (items.MoveNext())
        {
            var fields = new BsonElementReader(items.Current.Value);
            var found = false;
            while (fields.MoveNext())
            {
                var field = fields.Current;
                if (field.Name.SequenceEqual(member) && !ValueClassifier.IsNull(field.Type))
                {
                    output.WriteByte(0);
                    WriteScalar(kind, field, output);
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                output.WriteByte(1);
            }
        }
    }

    /// <summary>A JSON column's value: JSON text for the <c>JSON</c> type, a Nullable String of JSON otherwise.</summary>
    public void WriteJson(ColumnKind kind, in RawElement element, PooledBuffer output)
    {
        _scratch.Length = 0;
        _text.WriteJson(element, _scratch, escapeKeys: kind == ColumnKind.Json);
        if (kind != ColumnKind.Json)
        {
            output.WriteByte(0);
        }

        output.WriteString(_scratch.WrittenSpan);
    }

    /// <summary>No value for a JSON column: <c>{}</c> for the <c>JSON</c> type (it has no NULL), NULL for String.</summary>
    public static void WriteMissingJson(ColumnKind kind, PooledBuffer output)
    {
        if (kind == ColumnKind.Json)
        {
            output.WriteString(EmptyObject);
        }
        else
        {
            output.WriteByte(1);
        }
    }

    /// <summary>JSON text made elsewhere (the extras) as a JSON column's value.</summary>
    public static void WriteJsonText(ColumnKind kind, ReadOnlySpan<byte> json, PooledBuffer output)
    {
        if (kind != ColumnKind.Json)
        {
            output.WriteByte(0);
        }

        output.WriteString(json);
    }

    private void WriteScalar(ColumnKind kind, RawElement element, PooledBuffer output)
    {
        switch (kind)
        {
            case ColumnKind.Int32:
                output.WriteInt32(element.Int32Value);
                break;
            case ColumnKind.Int64:
                output.WriteInt64(element.Type switch
                {
                    BsonTypeCode.Int32 => element.Int32Value,
                    BsonTypeCode.Double => (long)element.DoubleValue,
                    _ => element.Int64Value,
                });
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
                WriteUuid(element.Value, output);
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

    /// <summary>ClickHouse's binary UUID is two little-endian UInt64 halves of the big-endian (RFC 4122) UUID bytes.</summary>
    private void WriteUuid(ReadOnlySpan<byte> binary, PooledBuffer output)
    {
        Span<byte> standard = stackalloc byte[16];
        var bytes = binary.Slice(5, 16);
        if (binary[4] == 3)
        {
            switch (uuid)
            {
                case LegacyUuid.CSharp:
                    new Guid(bytes).TryWriteBytes(standard, bigEndian: true, out _);
                    break;
                case LegacyUuid.Java:
                    for (var i = 0; i < 8; i++)
                    {
                        standard[i] = bytes[7 - i];
                        standard[8 + i] = bytes[15 - i];
                    }

                    break;
                default:
                    bytes.CopyTo(standard);
                    break;
            }
        }
        else
        {
            bytes.CopyTo(standard);
        }

        output.WriteUInt64(BinaryPrimitives.ReadUInt64BigEndian(standard));
        output.WriteUInt64(BinaryPrimitives.ReadUInt64BigEndian(standard[8..]));
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
