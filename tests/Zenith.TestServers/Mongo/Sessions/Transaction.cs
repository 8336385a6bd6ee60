using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Sessions;

/// <summary>A document as a statement sees it: its record id (natural order), its content, and its committed record if any.</summary>
internal sealed record DocumentVersion(long RecordId, StoredDocument Document, Record? Record);

/// <summary>
/// A multi-document transaction with snapshot isolation, as in mongod: it reads the data as of its
/// start (rebuilt from undo records) plus its own writes, which stay private until commit; writing a
/// document another transaction holds, or one committed after the snapshot, is a WriteConflict (112,
/// TransientTransactionError) that aborts it. Commit applies its operations in order under one
/// timestamp, and the oplog gets them together (so change events share clusterTime, lsid, txnNumber).
/// </summary>
internal sealed partial class Transaction
{
    private readonly List<(CollectionStore Collection, OplogOp Kind, BsonValue Id, StoredDocument? Document, DocumentChange? Change)> _ops = [];
    private readonly Dictionary<CollectionStore, Dictionary<BsonValue, PendingDocument>> _pending = [];
    private readonly SnapshotRegistry _snapshots;
    private readonly List<CollectionStore> _created = [];
    private long _nextRecordId = long.MaxValue / 2;

    public Transaction(ServerSession session, long txnNumber, SnapshotRegistry snapshots, long snapshotTs, long now)
    {
        Session = session;
        TxnNumber = txnNumber;
        _snapshots = snapshots;
        SnapshotTs = snapshotTs;
        StartedMilliseconds = now;
    }

    private sealed class PendingDocument(long recordId, StoredDocument? document, Record? committed)
    {
        public long RecordId { get; } = recordId;

        public StoredDocument? Document { get; set; } = document;

        public Record? Committed { get; } = committed;
    }

    public enum Status
    {
        InProgress,
        Committed,
        Aborted,
    }

    public ServerSession Session { get; }

    public long TxnNumber { get; }

    public long SnapshotTs { get; }

    public long StartedMilliseconds { get; }

    public Status State { get; private set; }

    public bool IsInProgress => State == Status.InProgress;

    /// <summary>True when the transaction was aborted for running past its lifetime.</summary>
    public bool Expired { get; private set; }

    /// <summary>Set when the transaction ends; writers waiting for its documents go on then.</summary>
    public ManualResetEventSlim Completed { get; } = new(false);

    public static CommandException WriteConflict() => new(112, "WriteConflict",
        "Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.")
    {
        Labels = ["TransientTransactionError"],
    };

    /// <summary>A collection this transaction created, visible only to it until commit.</summary>
    public CollectionStore? CreatedCollection(string database, string name) =>
        _created.Find(c => c.Database == database && c.Name == name);

    public CollectionStore CreateCollection(CollectionStore collection)
    {
        _created.Add(collection);
        return collection;
    }

    private Dictionary<BsonValue, PendingDocument> Pending(CollectionStore collection)
    {
        if (!_pending.TryGetValue(collection, out var pending))
        {
            _pending[collection] = pending = new Dictionary<BsonValue, PendingDocument>(new GroupStage.ValueEquality());
        }
        return pending;
    }

    /// <summary>The documents matching <paramref name="query"/> as this transaction sees them; the caller holds the collection lock.</summary>
    public List<DocumentVersion> Collect(CollectionStore collection, QuerySpec query)
    {
        var changed = ChangedSinceSnapshot(collection);
        var pending = Pending(collection);
        var versions = new List<DocumentVersion>();
        void Consider(long recordId, StoredDocument document, Record? record)
        {
            if (!pending.ContainsKey(document.Id))
            {
                versions.Add(new DocumentVersion(recordId, document, record));
            }
        }
        var plan = QueryPlanner.Plan(collection, query.FilterDocument, null, query.Hint);
        new PlanScan(collection, plan).Run(record =>
        {
            if (!changed.ContainsKey(record.RecordId))
            {
                Consider(record.RecordId, record.Document, record);
            }
            return ScanStep.Continue;
        });
        foreach (var (recordId, before) in changed)
        {
            if (before is not null)
            {
                Consider(recordId, before, FindRecord(collection, recordId));
            }
        }
        versions.AddRange(pending.Values.Where(p => p.Document is not null).Select(p => new DocumentVersion(p.RecordId, p.Document!, p.Committed)));
        var matching = versions.Where(v => query.Filter is null || query.Filter.Matches(new RawFieldSource(v.Document.Bytes))).ToList();
        if (query.Sort is not null)
        {
            var byRecord = matching.ToDictionary(v => v.RecordId);
            var sorted = BlockingSort.Run(matching.OrderBy(v => v.RecordId).Select(v => new Record(v.RecordId, v.Document)), query.Sort, query.Skip, query.Limit, query.AllowDiskUse, query.CommandName);
            return [.. sorted.Select(r => byRecord[r.RecordId])];
        }
        IEnumerable<DocumentVersion> ordered = matching.OrderBy(v => v.RecordId).Skip((int)Math.Min(query.Skip, int.MaxValue));
        return [.. query.Limit > 0 ? ordered.Take((int)Math.Min(query.Limit, int.MaxValue)) : ordered];
    }

    // For each record written since the snapshot: what it was at the snapshot (null: it did not exist).
    private Dictionary<long, StoredDocument?> ChangedSinceSnapshot(CollectionStore collection)
    {
        var changed = new Dictionary<long, StoredDocument?>();
        foreach (var undo in collection.Undo)
        {
            if ((ulong)undo.Ts > (ulong)SnapshotTs && !changed.ContainsKey(undo.RecordId))
            {
                changed[undo.RecordId] = undo.Before;
            }
        }
        return changed;
    }

    private static Record? FindRecord(CollectionStore collection, long recordId) =>
        collection.Records.TryFind(new Record(recordId, null!), out var p) ? collection.Records[p] : null;

    public void Insert(CollectionStore collection, StoredDocument document)
    {
        var pending = Pending(collection);
        pending.TryGetValue(document.Id, out var mine);
        if (mine?.Document is not null || (mine is null && VisibleAtSnapshot(collection, document.Id)))
        {
            throw CommandException.DuplicateKey(collection.Namespace, CollectionIndex.IdIndexName, new BsonDocument("_id", 1), new BsonDocument("_id", document.Id));
        }
        if (mine is null)
        {
            if (collection.FindById(document.Id) is not null)
            {
                throw Conflict();
            }
            Claim(collection, document.Id);
        }
        CheckUnique(collection, document, mine?.Committed);
        pending[document.Id] = new PendingDocument(mine?.RecordId ?? _nextRecordId++, document, mine?.Committed);
        _ops.Add((collection, OplogOp.Insert, document.Id, document, null));
    }

    public void Replace(CollectionStore collection, DocumentVersion version, StoredDocument updated, DocumentChange change)
    {
        var mine = Own(collection, version);
        CheckUnique(collection, updated, mine.Committed);
        mine.Document = updated;
        _ops.Add((collection, change.IsReplacement ? OplogOp.Replace : OplogOp.Update, updated.Id, updated, change));
    }

    public void Delete(CollectionStore collection, DocumentVersion version)
    {
        var mine = Own(collection, version);
        mine.Document = null;
        _ops.Add((collection, OplogOp.Delete, version.Document.Id, null, null));
    }

    // The pending copy of a document this transaction writes, claiming it on the first write.
    private PendingDocument Own(CollectionStore collection, DocumentVersion version)
    {
        var pending = Pending(collection);
        if (pending.TryGetValue(version.Document.Id, out var mine))
        {
            return mine;
        }
        if (version.Record is null || version.Record.Document.Id is null || (ulong)version.Record.LastWriteTs > (ulong)SnapshotTs
            || FindRecord(collection, version.RecordId) is null)
        {
            throw Conflict();
        }
        Claim(collection, version.Document.Id);
        return pending[version.Document.Id] = new PendingDocument(version.RecordId, version.Document, version.Record);
    }

    private void Claim(CollectionStore collection, BsonValue id)
    {
        if (collection.TransactionLocks.TryGetValue(id, out var holder) && !ReferenceEquals(holder, this))
        {
            throw Conflict();
        }
        collection.TransactionLocks[id] = this;
    }

    // The dispatcher aborts the transaction once the failed command is over (outside any collection lock).
    private static CommandException Conflict() => WriteConflict();

    private bool VisibleAtSnapshot(CollectionStore collection, BsonValue id)
    {
        var current = collection.FindById(id);
        if (current is not null && (ulong)current.LastWriteTs <= (ulong)SnapshotTs)
        {
            return true;
        }
        return ChangedSinceSnapshot(collection).Values.Any(before => before is not null && Bson.BsonOrder.AreEqual(before.Id, id));
    }

    // Unique secondary indexes: a committed document (not one this transaction rewrote) or a pending one holding the key.
    private void CheckUnique(CollectionStore collection, StoredDocument document, Record? self)
    {
        var pending = Pending(collection);
        foreach (var index in collection.Indexes.Where(i => i.Unique && !i.IsIdIndex))
        {
            var keys = index.KeysOf(document, out _);
            foreach (var key in keys)
            {
                var takenByCommitted = index.RecordsWithKey(key).Any(r => r != self && !pending.ContainsKey(r.Document.Id));
                var takenByPending = pending.Values.Any(p => p.Document is not null && !Bson.BsonOrder.AreEqual(p.Document.Id, document.Id)
                    && index.KeysOf(p.Document, out _).Exists(k => index.Order.CompareKeys(k, key) == 0));
                if (takenByCommitted || takenByPending)
                {
                    throw CommandException.DuplicateKey(collection.Namespace, index.Name, index.Pattern.Document, index.KeyDocument(key));
                }
            }
        }
    }
}
