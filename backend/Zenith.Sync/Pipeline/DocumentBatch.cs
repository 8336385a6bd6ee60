using Zenith.Core.Mapping;

namespace Zenith.Sync.Pipeline;

/// <summary>Raw BSON documents back to back, as read from MongoDB: one pipeline message.</summary>
internal sealed class DocumentBatch(long sequence, int capacityBytes, System.Buffers.ArrayPool<byte> pool) : IDisposable
{
    public long Sequence { get; } = sequence;

    public PooledBuffer Bytes { get; } = new(capacityBytes, pool);

    public int Count { get; set; }

    /// <summary>Offset of the last document, for its checkpoint.</summary>
    public int LastOffset { get; set; }

    public void Dispose() => Bytes.Dispose();
}

/// <summary>A batch after the transform stage: RowBinary rows made with one schema snapshot.</summary>
internal sealed class EncodedBatch(DocumentBatch documents) : IDisposable
{
    public DocumentBatch Documents { get; } = documents;

    /// <summary>The BSON size of the documents (they are released once the rows are final).</summary>
    public long DocumentBytes { get; } = documents.Bytes.Length;

    public PooledBuffer? Rows { get; set; }

    public int RowCount { get; set; }

    public TableSchema? Schema { get; set; }

    public EncodeStatus Status { get; set; }

    public List<DocumentFailure> Failures { get; } = [];

    public Zenith.Core.Connectors.Checkpoint? Checkpoint { get; set; }

    /// <summary>incremental_timestamp: the batch's last document without a cursor value, and its last one with one.</summary>
    public (MongoDB.Bson.BsonDocument? WithoutValue, MongoDB.Bson.BsonDocument? WithValue) CursorEnds { get; set; }

    public void Dispose()
    {
        Rows?.Dispose();
        Documents.Dispose();
    }
}

/// <summary>Consecutive encoded batches, made with one schema, sent as one INSERT.</summary>
internal sealed class InsertGroup : IDisposable
{
    public List<EncodedBatch> Batches { get; } = [];

    public TableSchema? Schema => Batches.Count > 0 ? Batches[0].Schema : null;

    public long Rows { get; private set; }

    public long Bytes { get; private set; }

    public void Add(EncodedBatch batch)
    {
        Batches.Add(batch);
        Rows += batch.RowCount;
        Bytes += batch.Rows?.Length ?? 0;
    }

    /// <summary>Releases the batches' buffers and empties the group.</summary>
    public void Dispose()
    {
        foreach (var batch in Batches)
        {
            batch.Dispose();
        }

        Batches.Clear();
        Rows = 0;
        Bytes = 0;
    }
}
