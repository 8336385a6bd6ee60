using MongoDB.Bson;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Sessions;

/// <summary>How a transaction ends: commit applies its writes under one timestamp, abort discards them.</summary>
internal sealed partial class Transaction
{
    /// <summary>Applies the operations in order under one commit timestamp; the oplog gets them together.</summary>
    public void Commit(WriteJournal journal, MongoStore store)
    {
        // Collections created in the transaction appear first; a name taken meanwhile is a conflict.
        foreach (var collection in _created)
        {
            if (!store.Adopt(collection))
            {
                throw WriteConflict();
            }
        }
        var collections = _ops.Select(o => o.Collection).Concat(_pending.Keys).Distinct().OrderBy(c => c.Namespace, StringComparer.Ordinal).ToList();
        foreach (var collection in collections)
        {
            collection.Sync.Enter();
        }
        try
        {
            if (collections.Exists(c => c.Dropped))
            {
                throw Conflict();
            }
            var stamp = new TransactionStamp(Session.Lsid, TxnNumber);
            var records = new Dictionary<(CollectionStore, BsonValue), Record>();
            Record RecordOf(CollectionStore c, BsonValue id) =>
                records.TryGetValue((c, id), out var r) ? r : c.FindById(id) ?? throw new InvalidOperationException("a transaction's document vanished before commit");
            foreach (var (collection, kind, id, document, change) in _ops)
            {
                switch (kind)
                {
                    case OplogOp.Insert:
                        records[(collection, id)] = collection.Insert(document!, stamp);
                        break;
                    case OplogOp.Delete:
                        collection.Delete(RecordOf(collection, id), stamp);
                        records.Remove((collection, id));
                        break;
                    default:
                        collection.Replace(RecordOf(collection, id), document!, change!, stamp);
                        break;
                }
            }
            if (stamp.Entries.Count > 0)
            {
                journal.Commit(stamp);
            }
            End(Status.Committed, lockedCollections: true);
        }
        finally
        {
            foreach (var collection in collections)
            {
                collection.Sync.Exit();
            }
        }
    }

    /// <summary>Discards the transaction's writes and releases its documents.</summary>
    public void Abort(bool expired = false)
    {
        if (State != Status.InProgress)
        {
            return;
        }
        Expired = expired;
        End(Status.Aborted, lockedCollections: false);
    }

    private void End(Status state, bool lockedCollections)
    {
        State = state;
        foreach (var collection in _pending.Keys)
        {
            if (!lockedCollections)
            {
                collection.Sync.Enter();
            }
            try
            {
                foreach (var id in _pending[collection].Keys)
                {
                    if (collection.TransactionLocks.TryGetValue(id, out var holder) && ReferenceEquals(holder, this))
                    {
                        collection.TransactionLocks.Remove(id);
                    }
                }
            }
            finally
            {
                if (!lockedCollections)
                {
                    collection.Sync.Exit();
                }
            }
        }
        _snapshots.Close(SnapshotTs);
        Completed.Set();
    }
}
