using System.Buffers;
using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;

namespace Zenith.Sync.Mongo;

/// <summary>The result type of a find: a marker; the document itself went into the current buffer.</summary>
internal readonly record struct ArenaDocument(int Length);

/// <summary>
/// Copies each document the driver reads, as raw BSON, into the current <see cref="RawDocumentBuffer"/> and cuts one every
/// <c>batchSize</c> documents or before it would pass <c>maxBatchBytes</c> (a batch always takes at least one document): no
/// BsonDocument trees, one copy per document, and memory bounded whatever the documents weigh. A document larger than
/// <c>maxDocumentBytes</c> is kept in its batch (it moves the run's position) but marked skipped: counted and reported as not
/// written, never written, and the run goes on. The driver deserializes a whole reply inside MoveNext, so the reader loop
/// drains <see cref="TryTakeReady"/> after each.
/// </summary>
internal sealed class ArenaSerializer(int batchSize, long maxBatchBytes, int maxDocumentBytes, int initialBytes, ArrayPool<byte> pool) : SerializerBase<ArenaDocument>
{
    /// <summary>A first guess at a batch's bytes: <paramref name="documents"/> of <paramref name="averageBytes"/>, at most 16 MiB (it grows).</summary>
    public static int InitialBytes(int documents, int averageBytes) => (int)Math.Min((long)documents * averageBytes, 16L * 1024 * 1024);

    private readonly Queue<RawDocumentBuffer> _ready = new();
    private RawDocumentBuffer? _current;

    public override ArenaDocument Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        using var slice = context.Reader.ReadRawBsonDocument();
        if (_current is { Count: > 0 } full && full.Bytes.Length + (long)slice.Length > maxBatchBytes)
        {
            Cut();
        }

        var batch = _current ??= new RawDocumentBuffer((int)Math.Min(initialBytes, Math.Max(maxBatchBytes, slice.Length)), pool);
        batch.Append(slice);
        if (slice.Length > maxDocumentBytes)
        {
            batch.SkipLast(
                IdText(RawFields.Get(batch.Last, "_id"u8)),
                string.Create(CultureInfo.InvariantCulture, $"the document is {slice.Length:N0} bytes, more than processing.max_document_bytes ({maxDocumentBytes:N0}); it is not written"));
        }

        if (batch.Count == batchSize)
        {
            Cut();
        }

        return new ArenaDocument(slice.Length);
    }

    public bool TryTakeReady(out RawDocumentBuffer batch) => _ready.TryDequeue(out batch!);

    /// <summary>The last, partial batch (null if empty).</summary>
    public RawDocumentBuffer? TakePartial()
    {
        var batch = _current;
        _current = null;
        batch?.SealSkipped();
        return batch;
    }

    /// <summary>Releases batches never handed out (on failure).</summary>
    public void Discard()
    {
        while (_ready.TryDequeue(out var batch))
        {
            batch.Dispose();
        }

        TakePartial()?.Dispose();
    }

    private void Cut()
    {
        _current!.SealSkipped();
        _ready.Enqueue(_current);
        _current = null;
    }

    private static string IdText(BsonValue? id) => id switch
    {
        null => "(no _id)",
        { IsObjectId: true } => id.AsObjectId.ToString(),
        { IsString: true } => id.AsString,
        _ => id.ToJson(),
    };
}
