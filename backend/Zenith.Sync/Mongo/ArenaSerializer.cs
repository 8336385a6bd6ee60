using System.Buffers;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using Zenith.Core.Buffers;

namespace Zenith.Sync.Mongo;

/// <summary>The result type of a find: a marker; the document itself went into the current buffer.</summary>
internal readonly record struct ArenaDocument(int Length);

/// <summary>
/// Copies each document the driver reads, as raw BSON, into the current <see cref="RawDocumentBuffer"/> and cuts one every
/// <c>batchSize</c> documents: no BsonDocument trees, one copy per document. The driver deserializes a whole reply inside
/// MoveNext, so the reader loop drains <see cref="TryTakeReady"/> after each.
/// </summary>
internal sealed class ArenaSerializer(int batchSize, int initialBytes, ArrayPool<byte> pool) : SerializerBase<ArenaDocument>
{
    /// <summary>A first guess at a batch's bytes: <paramref name="documents"/> of <paramref name="averageBytes"/>, at most 16 MiB (it grows).</summary>
    public static int InitialBytes(int documents, int averageBytes) => (int)Math.Min((long)documents * averageBytes, 16L * 1024 * 1024);

    private readonly Queue<RawDocumentBuffer> _ready = new();
    private RawDocumentBuffer? _current;

    public override ArenaDocument Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        using var slice = context.Reader.ReadRawBsonDocument();
        var batch = _current ??= new RawDocumentBuffer(initialBytes, pool);
        batch.Append(slice);
        if (batch.Count == batchSize)
        {
            _ready.Enqueue(batch);
            _current = null;
        }

        return new ArenaDocument(slice.Length);
    }

    public bool TryTakeReady(out RawDocumentBuffer batch) => _ready.TryDequeue(out batch!);

    /// <summary>The last, partial batch (null if empty).</summary>
    public RawDocumentBuffer? TakePartial()
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
