using System.Buffers;
using System.Buffers.Binary;

namespace Zenith.Core.Buffers;

/// <summary>A growable byte buffer on an <see cref="ArrayPool{T}"/> (the shared one unless given); give it back with <see cref="Dispose"/>.</summary>
public sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;

    public PooledBuffer(int initialCapacity = 64 * 1024)
        : this(initialCapacity, ArrayPool<byte>.Shared)
    {
    }

    /// <param name="initialCapacity">Bytes to rent at first; the buffer doubles when it needs more.</param>
    /// <param name="pool">Where the arrays come from and go back to (e.g. a pool a sync run owns and drops at its end).</param>
    public PooledBuffer(int initialCapacity, ArrayPool<byte> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _buffer = pool.Rent(Math.Max(initialCapacity, 256));
    }

    public int Length { get; set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public byte[] RawArray => _buffer;

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    public void Ensure(int sizeHint)
    {
        var needed = (long)Length + Math.Max(sizeHint, 16);
        if (needed <= _buffer.Length)
        {
            return;
        }

        // Doubling in long arithmetic: past 1 GiB an int doubling overflows, and growing by exact fit copies the buffer once per write.
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"a buffer of {needed} bytes is larger than an array can be; batches are bounded by bytes to stay far below this");
        }

        var bigger = _pool.Rent((int)Math.Min(Math.Max(needed, 2L * _buffer.Length), Array.MaxLength));
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        _pool.Return(_buffer);
        _buffer = bigger;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[Length++] = (byte)value;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        Length += 8;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);
        Length += 8;
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(GetSpan(8), value);
        Length += 8;
    }

    /// <summary>A RowBinary String: LEB128 length, then the bytes.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        Write(utf8);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }
}
