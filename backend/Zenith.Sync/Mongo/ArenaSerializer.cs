using System.Buffers;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using Zenith.Sync.Pipeline;

namespace Zenith.Sync.Mongo;

/// <summary>The result type of a find: a marker; the document itself went into the current batch's bytes.</summary>
internal readonly record struct ArenaDocument(int Length);

/// <summary>
/// Copies each document the driver reads, as raw BSON, into the current <see cref="DocumentBatch"/> and cuts a
/// batch every <c>batchSize</c> documents: no BsonDocument trees, one copy per document.
/// The driver deserializes a whole reply inside MoveNext, so the reader loop drains <see cref="TryTakeReady"/> after each.
/// </summary>
internal sealed class ArenaSerializer(int batchSize, int initialBytes, ArrayPool<byte> pool) : SerializerBase<ArenaDocument>
{
    /// <summary>A first guess at a batch's bytes: <paramref name="documents"/> of <paramref name="averageBytes"/>, at most 16 MiB (it grows).</summary>
    public static int InitialBytes(int documents, int averageBytes) => (int)Math.Min((long)documents * averageBytes, 16L * 1024 * 1024);

    private readonly Queue<DocumentBatch> _ready = new();
    private DocumentBatch? _current;
    private long _sequence;

    public override ArenaDocument Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        using var slice = context.Reader.ReadRawBsonDocument();
        var batch = _current ??= new DocumentBatch(_sequence++, initialBytes, pool);
        var length = slice.Length;
        batch.Bytes.Ensure(length);
        slice.GetBytes(0, batch.Bytes.RawArray, batch.Bytes.Length, length);
        batch.LastOffset = batch.Bytes.Length;
        batch.Bytes.Advance(length);
        if (++batch.Count == batchSize)
        {
            _ready.Enqueue(batch);
            _current = null;
        }

        return new ArenaDocument(length);
    }

    public bool TryTakeReady(out DocumentBatch batch) => _ready.TryDequeue(out batch!);

    /// <summary>The last, partial batch (null if empty).</summary>
    public DocumentBatch? TakePartial()
    {
        var batch = _current;
        _current = null;
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
}
