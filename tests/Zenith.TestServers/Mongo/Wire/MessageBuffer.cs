using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Wire;

/// <summary>
/// A growable output buffer for one reply, reused across the replies of a connection, with the
/// few BSON-writing primitives the server needs to copy stored documents straight into a batch.
/// </summary>
internal sealed class MessageBuffer
{
    private const int InitialSize = 64 * 1024;
    private byte[] _buffer = new byte[InitialSize];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Reset()
    {
        Length = 0;
        if (_buffer.Length > 64 * 1024 * 1024)
        {
            _buffer = new byte[InitialSize];
        }
    }

    /// <summary>Drops everything written after <paramref name="length"/> (used to replace a half-written reply by an error).</summary>
    public void Truncate(int length) => Length = length;

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteCString(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(max + 1);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
        _buffer[Length++] = 0;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(position), value);

    public void PatchInt64(int position, long value) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(position), value);

    public int BeginDocument()
    {
        var start = Length;
        WriteInt32(0);
        return start;
    }

    public void EndDocument(int start)
    {
        WriteByte(0);
        PatchInt32(start, Length - start);
    }

    /// <summary>Opens the document that starts at <paramref name="start"/> (the last one written) to append fields; close it with <see cref="EndDocument"/>.</summary>
    public void ReopenDocument(int start)
    {
        if (Length - start < 5 || _buffer[Length - 1] != 0)
        {
            throw new InvalidOperationException("no document ends at the end of the buffer");
        }
        Length--;
    }

    public void WriteName(byte type, string name)
    {
        WriteByte(type);
        WriteCString(name);
    }

    /// <summary>An array element's header: the type and the decimal index as the name.</summary>
    public void WriteIndexName(byte type, int index)
    {
        Ensure(12);
        _buffer[Length++] = type;
        index.TryFormat(_buffer.AsSpan(Length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        Length += written;
        _buffer[Length++] = 0;
    }

    public void WriteString(string name, string value)
    {
        WriteName(0x02, name);
        var bytes = Encoding.UTF8.GetByteCount(value);
        WriteInt32(bytes + 1);
        WriteCString(value);
    }

    public void WriteDocument(BsonDocument document) => WriteBytes(document.ToBson());

    private void Ensure(int extra)
    {
        if (Length + extra > _buffer.Length)
        {
            var size = Math.Max(_buffer.Length * 2, Length + extra);
            Array.Resize(ref _buffer, size);
        }
    }
}
