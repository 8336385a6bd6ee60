using System.Buffers;
using System.Buffers.Binary;
using MongoDB.Bson.IO;

namespace Zenith.Core.Buffers;

/// <summary>
/// Raw BSON documents back to back in one pooled buffer: what a source reads and the pipeline carries (one message per batch,
/// not per document). Knows nothing of a document but its length; give it back with <see cref="Dispose"/>.
/// </summary>
public sealed class RawDocumentBuffer(int capacityBytes, ArrayPool<byte> pool) : IDisposable
{
    public PooledBuffer Bytes { get; } = new(capacityBytes, pool);

    public int Count { get; private set; }

    /// <summary>Where the last document starts (0 when empty).</summary>
    public int LastOffset { get; private set; }

    /// <summary>Every document, back to back.</summary>
    public ReadOnlySpan<byte> Documents => Bytes.WrittenSpan;

    /// <summary>The last document (empty when there is none).</summary>
    public ReadOnlySpan<byte> Last => Count == 0 ? default : Bytes.WrittenSpan[LastOffset..];

    /// <summary>Copies one document the driver read (its raw slice, no BsonDocument tree) to the end.</summary>
    public void Append(IByteBuffer document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var length = document.Length;
        Bytes.Ensure(length);
        document.GetBytes(0, Bytes.RawArray, Bytes.Length, length);
        LastOffset = Bytes.Length;
        Bytes.Advance(length);
        Count++;
    }

    public void Append(ReadOnlySpan<byte> document)
    {
        LastOffset = Bytes.Length;
        Bytes.Write(document);
        Count++;
    }

    public void Dispose() => Bytes.Dispose();
}

/// <summary>Walks BSON documents laid back to back; stops before a length that does not fit (the encoder reports those).</summary>
public ref struct RawDocumentReader(ReadOnlySpan<byte> documents)
{
    private readonly ReadOnlySpan<byte> documents = documents;
    private int next;

    /// <summary>Where <see cref="Current"/> starts.</summary>
    public int Offset { get; private set; }

    public ReadOnlySpan<byte> Current { get; private set; }

    public bool MoveNext()
    {
        if (documents.Length - next < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(documents[next..]);
        if (length < 5 || length > documents.Length - next)
        {
            return false;
        }

        Offset = next;
        Current = documents.Slice(next, length);
        next += length;
        return true;
    }
}
