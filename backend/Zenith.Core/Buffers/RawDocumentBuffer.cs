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
    private List<SkippedDocument>? skipped;
    private RawDocumentBuffer? written;

    public PooledBuffer Bytes { get; } = new(capacityBytes, pool);

    /// <summary>Documents read, skipped ones included (they move a run's position like any other).</summary>
    public int Count { get; private set; }

    /// <summary>Documents read but not to be written (too large), with why; in reading order.</summary>
    public IReadOnlyList<SkippedDocument> Skipped => skipped ?? [];

    /// <summary>The documents to write: all of them, or, once <see cref="SealSkipped"/> ran, a copy without the skipped ones.</summary>
    public RawDocumentBuffer Written => written ?? this;

    /// <summary>Marks the last document appended as read but not to be written.</summary>
    public void SkipLast(string documentId, string reason) => (skipped ??= []).Add(new SkippedDocument(Count - 1, documentId, reason));

    /// <summary>The batch is complete: when it skipped documents, the ones to write are copied to <see cref="Written"/>.</summary>
    public void SealSkipped()
    {
        if (skipped is null || written is not null)
        {
            return;
        }

        var skippedIndexes = skipped.Select(s => s.Index).ToHashSet();
        var keptBytes = 0;
        var reader = new RawDocumentReader(Documents);
        for (var index = 0; reader.MoveNext(); index++)
        {
            keptBytes += skippedIndexes.Contains(index) ? 0 : reader.Current.Length;
        }

        written = new RawDocumentBuffer(keptBytes, pool);
        reader = new RawDocumentReader(Documents);
        for (var index = 0; reader.MoveNext(); index++)
        {
            if (!skippedIndexes.Contains(index))
            {
                written.Append(reader.Current);
            }
        }
    }

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

    public void Dispose()
    {
        written?.Dispose();
        Bytes.Dispose();
    }
}

/// <summary>A document a batch read but does not write: its position in the batch, its <c>_id</c> as text and why (never its contents).</summary>
public sealed record SkippedDocument(int Index, string DocumentId, string Reason);

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
