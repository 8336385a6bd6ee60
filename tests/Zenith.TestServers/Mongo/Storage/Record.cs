namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// One document's slot in a collection: its record id (insertion order, which is the natural order of
/// a scan without an index, as in WiredTiger) and its current version. An update replaces
/// <see cref="Document"/> and keeps the record id, so an updated document keeps its natural position.
/// Read and written under the owning collection's lock.
/// </summary>
internal sealed class Record(long recordId, StoredDocument document)
{
    public long RecordId { get; } = recordId;

    public StoredDocument Document { get; set; } = document;

    /// <summary>The cluster time of the last committed write to this record (a transaction conflicts with later ones).</summary>
    public long LastWriteTs { get; set; }

    public static readonly IComparer<Record> ByRecordId = Comparer<Record>.Create((a, b) => a.RecordId.CompareTo(b.RecordId));
}

/// <summary>
/// What a record was before a write at <see cref="Ts"/> (null: it did not exist), kept while
/// transactions read from an older snapshot.
/// </summary>
internal readonly record struct UndoEntry(long Ts, long RecordId, StoredDocument? Before);
