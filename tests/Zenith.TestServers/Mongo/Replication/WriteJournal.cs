using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Replication;

/// <summary>How a document was changed: replaced whole, or updated as <c>updateDescription</c> says.</summary>
internal sealed record DocumentChange(bool IsReplacement, BsonDocument? UpdateDescription)
{
    public static readonly DocumentChange Replacement = new(true, null);
}

/// <summary>
/// The commit of a transaction: one timestamp for all its writes, its lsid and txnNumber, and its
/// oplog entries gathered so they are appended together, so no reader sees half a transaction.
/// </summary>
internal sealed class TransactionStamp(BsonDocument lsid, long txnNumber)
{
    public BsonDocument Lsid { get; } = lsid;

    public long TxnNumber { get; } = txnNumber;

    /// <summary>Each write's entry, built once the commit timestamp is known.</summary>
    public List<Func<long, BsonTimestamp, OplogEntry>> Entries { get; } = [];

    /// <summary>The records written, stamped with the commit timestamp when it is known.</summary>
    public List<(CollectionStore Collection, Record Record, StoredDocument? Before)> Written { get; } = [];
}

/// <summary>
/// Where every committed write goes: it gets a cluster time, an oplog entry (with the images change
/// streams need), and, while transactions hold snapshots, an undo record so they keep reading the
/// past. Called by a collection under its lock.
/// </summary>
internal sealed class WriteJournal(ClusterClock clock, Oplog oplog, SnapshotRegistry snapshots)
{
    private const long EntryOverhead = 64;

    public ClusterClock Clock => clock;

    public Oplog Oplog => oplog;

    public SnapshotRegistry Snapshots => snapshots;

    public void Inserted(CollectionStore collection, Record record, TransactionStamp? stamp) =>
        Write(collection, record, before: null, stamp, (sequence, ts, wall, index) => new OplogEntry
        {
            Sequence = sequence, Ts = ts, WallMilliseconds = wall, Op = OplogOp.Insert,
            Database = collection.Database, Collection = collection.Name, CollectionUuid = collection.Uuid,
            DocumentKey = record.Document.Id, Document = record.Document, Lsid = stamp?.Lsid, TxnNumber = stamp?.TxnNumber, TxnOpIndex = index,
            Size = EntryOverhead + record.Document.Bytes.Length,
        });

    public void Updated(CollectionStore collection, Record record, StoredDocument before, DocumentChange change, TransactionStamp? stamp)
    {
        var images = collection.RecordsImages;
        Write(collection, record, before, stamp, (sequence, ts, wall, index) => new OplogEntry
        {
            Sequence = sequence, Ts = ts, WallMilliseconds = wall, Op = change.IsReplacement ? OplogOp.Replace : OplogOp.Update,
            Database = collection.Database, Collection = collection.Name, CollectionUuid = collection.Uuid,
            DocumentKey = record.Document.Id, Document = record.Document, UpdateDescription = change.UpdateDescription,
            PreImage = images ? before : null, HasPostImage = images, Lsid = stamp?.Lsid, TxnNumber = stamp?.TxnNumber, TxnOpIndex = index,
            Size = EntryOverhead + (change.IsReplacement ? record.Document.Bytes.Length : change.UpdateDescription!.ToBson().Length),
        });
    }

    public void Deleted(CollectionStore collection, Record record, StoredDocument before, TransactionStamp? stamp)
    {
        var images = collection.RecordsImages;
        Write(collection, record, before, stamp, (sequence, ts, wall, index) => new OplogEntry
        {
            Sequence = sequence, Ts = ts, WallMilliseconds = wall, Op = OplogOp.Delete,
            Database = collection.Database, Collection = collection.Name, CollectionUuid = collection.Uuid,
            DocumentKey = before.Id, PreImage = images ? before : null, Lsid = stamp?.Lsid, TxnNumber = stamp?.TxnNumber, TxnOpIndex = index,
            Size = EntryOverhead + 32,
        });
    }

    /// <summary>A collection or database command (create, drop, rename…), or a no-op.</summary>
    public void Command(OplogOp op, string database, string? collection, Guid? uuid, BsonDocument? details) =>
        oplog.Append(sequence =>
        [
            new OplogEntry
            {
                Sequence = sequence, Ts = clock.Tick(), WallMilliseconds = clock.WallClockMilliseconds, Op = op,
                Database = database, Collection = collection, CollectionUuid = uuid, Details = details,
                Size = EntryOverhead + (details?.ToBson().Length ?? 0),
            },
        ]);

    /// <summary>Appends a transaction's entries at once, in order, under one new commit timestamp.</summary>
    public BsonTimestamp Commit(TransactionStamp stamp)
    {
        BsonTimestamp commitTs = default!;
        oplog.Append(first =>
        {
            commitTs = clock.Tick();
            foreach (var (collection, record, before) in stamp.Written)
            {
                Stamp(collection, record, before, commitTs);
            }
            return [.. stamp.Entries.Select((build, i) => build(first + i, commitTs))];
        });
        return commitTs;
    }

    private void Write(CollectionStore collection, Record record, StoredDocument? before, TransactionStamp? stamp,
        Func<long, BsonTimestamp, long, int, OplogEntry> entry)
    {
        var wall = clock.WallClockMilliseconds;
        if (stamp is not null)
        {
            var index = stamp.Entries.Count;
            stamp.Entries.Add((sequence, ts) => entry(sequence, ts, wall, index));
            stamp.Written.Add((collection, record, before));
            return;
        }
        oplog.Append(sequence =>
        {
            var ts = clock.Tick();
            Stamp(collection, record, before, ts);
            return [entry(sequence, ts, wall, 0)];
        });
    }

    private void Stamp(CollectionStore collection, Record record, StoredDocument? before, BsonTimestamp ts)
    {
        record.LastWriteTs = ts.Value;
        PruneUndo(collection);
        if (snapshots.AnyOpen)
        {
            collection.Undo.Add(new UndoEntry(ts.Value, record.RecordId, before));
        }
    }

    /// <summary>Drops undo records no open snapshot needs (all of them once no transaction is open); the caller holds the collection lock.</summary>
    public void PruneUndo(CollectionStore collection)
    {
        var undo = collection.Undo;
        if (undo.Count == 0)
        {
            return;
        }
        if (snapshots.Oldest is not { } oldest)
        {
            undo.Clear();
            return;
        }
        var stale = 0;
        while (stale < undo.Count && (ulong)undo[stale].Ts <= (ulong)oldest)
        {
            stale++;
        }
        if (stale > 0)
        {
            undo.RemoveRange(0, stale);
        }
    }
}
