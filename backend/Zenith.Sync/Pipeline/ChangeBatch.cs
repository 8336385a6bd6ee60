using System.Buffers;
using System.Runtime.InteropServices;
using MongoDB.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The micro-batch being gathered from a change stream: one row per applied event (the full document, or a tombstone of the
/// <c>_id</c> for a delete), each with its own version (cluster time and ordinal), and the counts by event type.
/// </summary>
internal sealed class ChangeBatch(ArrayPool<byte> pool) : IDisposable
{
    private readonly List<RowStamp> _stamps = [];
    private RawDocumentBuffer _rows = new(64 * 1024, pool);
    private ChangeCounts _counts;

    public int Count => _rows.Count;

    public RawDocumentBuffer Rows => _rows;

    /// <summary>Each row's version and tombstone flag, in row order (valid until the batch changes).</summary>
    public ReadOnlySpan<RowStamp> Stamps => CollectionsMarshal.AsSpan(_stamps);

    public ChangeCounts Counts => _counts;

    /// <summary>When the first row of the batch was taken (the flush deadline counts from it).</summary>
    public long FirstTakenAt { get; private set; }

    public void AddDocument(BsonDocument document, UInt128 version, string operation, long now)
    {
        Add(document, version, deleted: false, now);
        _counts = operation switch
        {
            "insert" => _counts with { Inserts = _counts.Inserts + 1 },
            "replace" => _counts with { Replaces = _counts.Replaces + 1 },
            _ => _counts with { Updates = _counts.Updates + 1 },
        };
    }

    public void AddTombstone(BsonValue id, UInt128 version, long now)
    {
        Add(new BsonDocument("_id", id), version, deleted: true, now);
        _counts = _counts with { Deletes = _counts.Deletes + 1 };
    }

    public void CountUnreadable() => _counts = _counts with { Unreadable = _counts.Unreadable + 1 };

    private void Add(BsonDocument document, UInt128 version, bool deleted, long now)
    {
        if (_rows.Count == 0)
        {
            FirstTakenAt = now;
        }

        _rows.Append(document.ToBson());
        _stamps.Add(new RowStamp(version, deleted));
    }

    /// <summary>Empties the batch for the next one.</summary>
    public void Clear()
    {
        _rows.Dispose();
        _rows = new RawDocumentBuffer(64 * 1024, pool);
        _stamps.Clear();
        _counts = default;
    }

    public void Dispose() => _rows.Dispose();
}
