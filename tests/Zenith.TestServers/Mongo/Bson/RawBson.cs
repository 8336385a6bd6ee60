using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Zenith.TestServers.Mongo.Bson;

/// <summary>
/// Reads fields straight out of a BSON document's bytes, so filters, sorts and the <c>_id</c>
/// index touch only the fields they need instead of materializing whole documents.
/// </summary>
internal static class RawBson
{
    public const byte TypeDouble = 0x01;
    public const byte TypeString = 0x02;
    public const byte TypeDocument = 0x03;
    public const byte TypeArray = 0x04;
    public const byte TypeObjectId = 0x07;
    public const byte TypeBoolean = 0x08;
    public const byte TypeDateTime = 0x09;
    public const byte TypeNull = 0x0A;
    public const byte TypeInt32 = 0x10;
    public const byte TypeTimestamp = 0x11;
    public const byte TypeInt64 = 0x12;
    public const byte TypeDecimal = 0x13;

    /// <summary>Checks the outer framing of a document: its length prefix and terminator.</summary>
    public static bool IsWellFramed(ReadOnlySpan<byte> doc) =>
        doc.Length >= 5 && BinaryPrimitives.ReadInt32LittleEndian(doc) == doc.Length && doc[^1] == 0;

    /// <summary>Size in bytes of the value that starts at <paramref name="value"/>, for element type <paramref name="type"/>.</summary>
    public static int ValueSize(byte type, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case 0x01: case 0x09: case 0x11: case 0x12: return 8;
            case 0x02: case 0x0D: case 0x0E: return 4 + BinaryPrimitives.ReadInt32LittleEndian(value);
            case 0x03: case 0x04: case 0x0F: return BinaryPrimitives.ReadInt32LittleEndian(value);
            case 0x05: return 5 + BinaryPrimitives.ReadInt32LittleEndian(value);
            case 0x06: case 0x0A: case 0x7F: case 0xFF: return 0;
            case 0x07: return 12;
            case 0x08: return 1;
            case 0x0B:
                {
                    var first = value.IndexOf((byte)0);
                    var second = value[(first + 1)..].IndexOf((byte)0);
                    return first + 1 + second + 1;
                }
            case 0x0C: return 4 + BinaryPrimitives.ReadInt32LittleEndian(value) + 12;
            case 0x10: return 4;
            case 0x13: return 16;
            default: throw new FormatException($"Invalid BSON element type 0x{type:X2}.");
        }
    }

    /// <summary>Finds a top-level field by its UTF-8 name.</summary>
    public static bool TryFindField(ReadOnlySpan<byte> doc, ReadOnlySpan<byte> utf8Name, out byte type, out int valueOffset, out int valueSize)
    {
        var pos = 4;
        var end = doc.Length - 1;
        while (pos < end)
        {
            var t = doc[pos++];
            var nameLength = doc[pos..].IndexOf((byte)0);
            var match = doc.Slice(pos, nameLength).SequenceEqual(utf8Name);
            pos += nameLength + 1;
            var size = ValueSize(t, doc[pos..]);
            if (match)
            {
                type = t;
                valueOffset = pos;
                valueSize = size;
                return true;
            }
            pos += size;
        }
        type = 0;
        valueOffset = 0;
        valueSize = 0;
        return false;
    }

    public static bool TryGetValue(ReadOnlySpan<byte> doc, ReadOnlySpan<byte> utf8Name, out BsonValue value)
    {
        if (TryFindField(doc, utf8Name, out var type, out var offset, out var size))
        {
            value = ReadValue(type, doc.Slice(offset, size));
            return true;
        }
        value = BsonNull.Value;
        return false;
    }

    /// <summary>Decodes one element value; common scalars by hand, the rest through the BSON library.</summary>
    public static BsonValue ReadValue(byte type, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case TypeDouble: return new BsonDouble(BinaryPrimitives.ReadDoubleLittleEndian(value));
            case TypeString: return new BsonString(Encoding.UTF8.GetString(value.Slice(4, value.Length - 5)));
            case TypeObjectId: return new BsonObjectId(new ObjectId(value[..12].ToArray()));
            case TypeBoolean: return value[0] != 0 ? BsonBoolean.True : BsonBoolean.False;
            case TypeDateTime: return new BsonDateTime(BinaryPrimitives.ReadInt64LittleEndian(value));
            case TypeNull: return BsonNull.Value;
            case TypeInt32: return new BsonInt32(BinaryPrimitives.ReadInt32LittleEndian(value));
            case TypeTimestamp: return new BsonTimestamp(BinaryPrimitives.ReadInt64LittleEndian(value));
            case TypeInt64: return new BsonInt64(BinaryPrimitives.ReadInt64LittleEndian(value));
            case TypeDecimal:
                return new BsonDecimal128(Decimal128.FromIEEEBits(
                    BinaryPrimitives.ReadUInt64LittleEndian(value[8..]), BinaryPrimitives.ReadUInt64LittleEndian(value)));
            default:
                // Wrap the value in a one-field document and let the library decode it.
                var wrapped = new byte[4 + 1 + 2 + value.Length + 1];
                BinaryPrimitives.WriteInt32LittleEndian(wrapped, wrapped.Length);
                wrapped[4] = type;
                wrapped[5] = (byte)'v';
                value.CopyTo(wrapped.AsSpan(7));
                return BsonSerializer.Deserialize<BsonDocument>(wrapped)[0];
        }
    }

    /// <summary>Reads the whole document into a <see cref="BsonDocument"/> (the slow path: projections, updates, aggregation).</summary>
    public static BsonDocument ToDocument(ReadOnlyMemory<byte> bytes)
    {
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment))
        {
            using var stream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
            return BsonSerializer.Deserialize<BsonDocument>(stream);
        }
        return BsonSerializer.Deserialize<BsonDocument>(bytes.ToArray());
    }
}
