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

    public static readonly IComparer<Record> ByRecordId = Comparer<Record>.Create((a, b) => a.RecordId.CompareTo(b.RecordId));
}
