// CA1720: these members are named after the BSON and ClickHouse types they stand for, on purpose.
#pragma warning disable CA1720
using System.Buffers.Binary;

namespace Zenith.Core.Bson;

/// <summary>BSON element type codes (bsonspec.org).</summary>
public static class BsonTypeCode
{
    public const byte Double = 0x01;
    public const byte String = 0x02;
    public const byte Document = 0x03;
    public const byte Array = 0x04;
    public const byte Binary = 0x05;
    public const byte Undefined = 0x06;
    public const byte ObjectId = 0x07;
    public const byte Boolean = 0x08;
    public const byte DateTime = 0x09;
    public const byte Null = 0x0A;
    public const byte Regex = 0x0B;
    public const byte DbPointer = 0x0C;
    public const byte JavaScript = 0x0D;
    public const byte Symbol = 0x0E;
    public const byte JavaScriptWithScope = 0x0F;
    public const byte Int32 = 0x10;
    public const byte Timestamp = 0x11;
    public const byte Int64 = 0x12;
    public const byte Decimal128 = 0x13;
    public const byte MinKey = 0xFF;
    public const byte MaxKey = 0x7F;
}

/// <summary>One element of a BSON document, pointing into the document's bytes (no copy).</summary>
public readonly ref struct RawElement
{
    public RawElement(byte type, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int valueOffset = 0)
    {
        Type = type;
        ValueOffset = valueOffset;
        Name = name;
        Value = value;
    }

    public byte Type { get; }

    /// <summary>Where <see cref="Value"/> starts, counted from the start of the document that was read.</summary>
    public int ValueOffset { get; }

    /// <summary>The field name as UTF-8, without the terminating zero.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The value bytes as laid out in BSON (for strings: length, bytes, zero).</summary>
    public ReadOnlySpan<byte> Value { get; }

    public int Int32Value => BinaryPrimitives.ReadInt32LittleEndian(Value);

    public long Int64Value => BinaryPrimitives.ReadInt64LittleEndian(Value);

    public double DoubleValue => BinaryPrimitives.ReadDoubleLittleEndian(Value);

    public bool BooleanValue => Value[0] != 0;

    /// <summary>UTF-8 bytes of a String, Symbol or JavaScript value, without length and terminator.</summary>
    public ReadOnlySpan<byte> StringBytes => Value.Slice(4, Value.Length - 5);
}

/// <summary>Walks the elements of one BSON document held in a span; never allocates.</summary>
public ref struct BsonElementReader
{
    private readonly ReadOnlySpan<byte> _doc;
    private int _pos;

    /// <param name="document">A whole BSON document: int32 length, elements, terminating zero.</param>
    public BsonElementReader(ReadOnlySpan<byte> document)
    {
        if (document.Length < 5 || BinaryPrimitives.ReadInt32LittleEndian(document) != document.Length || document[^1] != 0)
        {
            throw new FormatException("malformed BSON document (length prefix or terminator)");
        }

        _doc = document;
        _pos = 4;
    }

    public RawElement Current { get; private set; }

    public bool MoveNext()
    {
        var type = _doc[_pos];
        if (type == 0)
        {
            return false;
        }

        var nameStart = _pos + 1;
        var nameLength = _doc[nameStart..].IndexOf((byte)0);
        if (nameLength < 0)
        {
            throw new FormatException("malformed BSON document (unterminated field name)");
        }

        var valueStart = nameStart + nameLength + 1;
        var valueLength = ValueLength(type, _doc[valueStart..]);
        if (valueLength < 0 || valueStart + valueLength > _doc.Length - 1)
        {
            throw new FormatException("malformed BSON document (value overruns the document)");
        }

        Current = new RawElement(type, _doc.Slice(nameStart, nameLength), _doc.Slice(valueStart, valueLength), valueStart);
        _pos = valueStart + valueLength;
        return true;
    }

    /// <summary>The length of one value of a known type (used to re-read an element found earlier).</summary>
    public static int MeasureValue(byte type, ReadOnlySpan<byte> rest)
    {
        var length = ValueLength(type, rest);
        return length < 0 || length > rest.Length ? throw new FormatException("malformed BSON value") : length;
    }

    private static int ValueLength(byte type, ReadOnlySpan<byte> rest)
    {
        switch (type)
        {
            case BsonTypeCode.Double:
            case BsonTypeCode.DateTime:
            case BsonTypeCode.Timestamp:
            case BsonTypeCode.Int64:
                return 8;
            case BsonTypeCode.Int32:
                return 4;
            case BsonTypeCode.Decimal128:
                return 16;
            case BsonTypeCode.ObjectId:
                return 12;
            case BsonTypeCode.Boolean:
                return 1;
            case BsonTypeCode.Undefined:
            case BsonTypeCode.Null:
            case BsonTypeCode.MinKey:
            case BsonTypeCode.MaxKey:
                return 0;
            case BsonTypeCode.String:
            case BsonTypeCode.JavaScript:
            case BsonTypeCode.Symbol:
                return rest.Length < 4 ? -1 : 4 + BinaryPrimitives.ReadInt32LittleEndian(rest);
            case BsonTypeCode.Document:
            case BsonTypeCode.Array:
            case BsonTypeCode.JavaScriptWithScope:
                return rest.Length < 4 ? -1 : BinaryPrimitives.ReadInt32LittleEndian(rest);
            case BsonTypeCode.Binary:
                return rest.Length < 4 ? -1 : 5 + BinaryPrimitives.ReadInt32LittleEndian(rest);
            case BsonTypeCode.DbPointer:
                return rest.Length < 4 ? -1 : 4 + BinaryPrimitives.ReadInt32LittleEndian(rest) + 12;
            case BsonTypeCode.Regex:
                var pattern = rest.IndexOf((byte)0);
                if (pattern < 0)
                {
                    return -1;
                }

                var options = rest[(pattern + 1)..].IndexOf((byte)0);
                return options < 0 ? -1 : pattern + options + 2;
            default:
                throw new FormatException($"unknown BSON element type 0x{type:X2}");
        }
    }
}
