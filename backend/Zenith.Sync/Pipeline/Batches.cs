using Zenith.Core.Buffers;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Pipeline;

/// <summary>One pipeline message: the raw documents of one batch as the source read them, numbered in reading order.</summary>
internal sealed class DocumentBatch(long sequence, RawDocumentBuffer documents) : IDisposable
{
    /// <summary>0 for a run's first batch; names its rows' version and its insert's deduplication token.</summary>
    public long Sequence { get; } = sequence;

    public RawDocumentBuffer Documents { get; } = documents;

    public int Count => Documents.Count;

    public void Dispose() => Documents.Dispose();
}

/// <summary>A batch after the transform stage: RowBinary rows made with one schema snapshot, and where it moves the checkpoint.</summary>
internal sealed class EncodedBatch(DocumentBatch documents) : IDisposable
{
    public DocumentBatch Documents { get; } = documents;

    /// <summary>The BSON size of the documents (they are released once the rows are final).</summary>
    public long DocumentBytes { get; } = documents.Documents.Bytes.Length;

    public PooledBuffer? Rows { get; set; }

    public int RowCount { get; set; }

    public TableSchema? Schema { get; set; }

    public EncodeStatus Status { get; set; }

    public List<DocumentFailure> Failures { get; } = [];

    /// <summary>Values the rows keep in <c>_zenith_extra</c> because they had no column or did not fit theirs.</summary>
    public int Spilled { get; set; }

    /// <summary>Values that did not fit their key column and went to <c>_zenith_extra</c> (among <see cref="Spilled"/>), and those columns (see <see cref="KeyColumns"/>).</summary>
    public (int Values, IReadOnlyCollection<int> Columns) KeyMisfits { get; set; } = (0, []);

    /// <summary>What the batch moves the run's position to, captured from its documents (see <see cref="ICheckpointTracker"/>).</summary>
    public BatchPosition? Position { get; set; }

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

    public PendingInsert Size { get; private set; }

    public void Add(EncodedBatch batch)
    {
        Batches.Add(batch);
        Size = Size.Add(batch.RowCount, batch.Rows?.Length ?? 0);
    }

    /// <summary>Releases the batches' buffers and empties the group.</summary>
    public void Dispose()
    {
        foreach (var batch in Batches)
        {
            batch.Dispose();
        }

        Batches.Clear();
        Size = default;
    }
}
