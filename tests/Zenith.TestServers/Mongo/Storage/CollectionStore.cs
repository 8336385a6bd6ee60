using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Replication;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// One in-memory collection: records in insertion (natural) order and its indexes, the first of which
/// is <c>_id_</c>. Every read and write happens under <see cref="Sync"/>; stored documents are
/// immutable, so a reader may keep references after unlocking. A write that would break a unique
/// index changes nothing and answers E11000. Every write goes to the <see cref="Journal"/> (oplog,
/// cluster time, undo records for open snapshots) before the lock is released.
/// </summary>
internal sealed class CollectionStore
{
    private long _nextRecordId = 1;

    public CollectionStore(string database, string name, BsonDocument? options = null, WriteJournal? journal = null)
    {
        Database = database;
        Name = name;
        Options = options ?? [];
        Indexes = [CollectionIndex.CreateIdIndex()];
        Journal = journal;
    }

    /// <summary>Null for a scratch collection (e.g. a plan for a missing namespace) or one a transaction created and has not committed.</summary>
    public WriteJournal? Journal { get; set; }

    /// <summary>The documents (by _id) open transactions have written: the holder, a transaction, until it ends.</summary>
    public Dictionary<BsonValue, object> TransactionLocks { get; } = new(new Query.GroupStage.ValueEquality());

    /// <summary>What records were before writes, while transactions read older snapshots.</summary>
    public List<UndoEntry> Undo { get; } = [];

    /// <summary>Whether writes keep pre- and post-images (the collection option <c>changeStreamPreAndPostImages</c>).</summary>
    public bool RecordsImages =>
        Options.GetValue("changeStreamPreAndPostImages", BsonNull.Value) is BsonDocument images && images.GetValue("enabled", false).ToBoolean();

    public string Database { get; private set; }

    public string Name { get; private set; }

    public string Namespace => Database + "." + Name;

    /// <summary>The options the collection was created with, as <c>listCollections</c> shows them.</summary>
    public BsonDocument Options { get; set; }

    public Guid Uuid { get; private set; } = Guid.NewGuid();

    /// <summary>Set when the collection is dropped; its open cursors then fail as mongod's do (QueryPlanKilled).</summary>
    public bool Dropped { get; set; }

    /// <summary>The collection under a new name: the same records and indexes; a new UUID when it moves to another database.</summary>
    public CollectionStore MovedTo(string database, string name)
    {
        lock (Sync)
        {
            if (database != Database)
            {
                Uuid = Guid.NewGuid();
            }
            (Database, Name) = (database, name);
            return this;
        }
    }

    public Lock Sync { get; } = new();

    public OrderedChunks<Record> Records { get; } = new(Record.ByRecordId);

    public List<CollectionIndex> Indexes { get; }

    public CollectionIndex IdIndex => Indexes[0];

    public int Count => Records.Count;

    /// <summary>Changes on every write.</summary>
    public long Version { get; private set; }

    public CollectionIndex? FindIndex(string name) => Indexes.Find(i => i.Name == name);

    public Record? FindById(BsonValue id)
    {
        var entries = IdIndex.Entries;
        var p = entries.SeekFirst(e => Bson.BsonOrder.CompareValues(e.Key[0], id) >= 0);
        return entries.IsValid(p) && Bson.BsonOrder.CompareValues(entries[p].Key[0], id) == 0 ? entries[p].Record : null;
    }

    /// <summary>Adds a document at the end of the natural order; E11000 when a unique index already holds one of its keys.</summary>
    public Record Insert(StoredDocument document, TransactionStamp? stamp = null)
    {
        var keys = new List<BsonValue[]>[Indexes.Count];
        var arrays = new bool[Indexes.Count];
        for (var i = 0; i < Indexes.Count; i++)
        {
            keys[i] = Indexes[i].KeysOf(document, out arrays[i]);
            ThrowOnConflict(Indexes[i], keys[i], self: null);
        }
        var record = new Record(_nextRecordId++, document);
        Records.TryAdd(record);
        for (var i = 0; i < Indexes.Count; i++)
        {
            Indexes[i].Add(record, keys[i], arrays[i]);
        }
        Version++;
        Journal?.Inserted(this, record, stamp);
        return record;
    }

    /// <summary>Replaces a record's document (same <c>_id</c>, same record id), moving only the index keys that changed.</summary>
    public void Replace(Record record, StoredDocument updated, DocumentChange change, TransactionStamp? stamp = null)
    {
        var oldKeys = new List<BsonValue[]>[Indexes.Count];
        var after = new List<BsonValue[]>[Indexes.Count];
        var arrays = new bool[Indexes.Count];
        for (var i = 0; i < Indexes.Count; i++)
        {
            oldKeys[i] = Indexes[i].KeysOf(record.Document, out _);
            after[i] = Indexes[i].KeysOf(updated, out arrays[i]);
            ThrowOnConflict(Indexes[i], after[i], record);
        }
        for (var i = 0; i < Indexes.Count; i++)
        {
            var index = Indexes[i];
            var removed = oldKeys[i].Where(k => !after[i].Exists(n => index.Order.CompareKeys(n, k) == 0)).ToList();
            var added = after[i].Where(k => !oldKeys[i].Exists(o => index.Order.CompareKeys(o, k) == 0)).ToList();
            index.Remove(record, removed);
            index.Add(record, added, arrays[i]);
        }
        var before = record.Document;
        record.Document = updated;
        Version++;
        Journal?.Updated(this, record, before, change, stamp);
    }

    public void Delete(Record record, TransactionStamp? stamp = null)
    {
        foreach (var index in Indexes)
        {
            index.Remove(record, index.KeysOf(record.Document, out _));
        }
        Records.Remove(record);
        Version++;
        Journal?.Deleted(this, record, record.Document, stamp);
    }

    /// <summary>Builds an index over the existing documents; nothing changes when a unique index finds a duplicate.</summary>
    public void AddIndex(CollectionIndex index)
    {
        foreach (var record in Records.Items())
        {
            var keys = index.KeysOf(record.Document, out var throughArray);
            ThrowOnConflict(index, keys, record);
            index.Add(record, keys, throughArray);
        }
        Indexes.Add(index);
        Version++;
        Journal?.Command(OplogOp.CreateIndexes, Database, Name, Uuid, index.Spec);
    }

    public bool DropIndex(CollectionIndex index)
    {
        Version++;
        var removed = Indexes.Remove(index);
        if (removed)
        {
            Journal?.Command(OplogOp.DropIndexes, Database, Name, Uuid, index.Spec);
        }
        return removed;
    }

    private void ThrowOnConflict(CollectionIndex index, List<BsonValue[]> keys, Record? self)
    {
        if (index.FindConflict(keys, self) is { } key)
        {
            throw CommandException.DuplicateKey(Namespace, index.Name, index.Pattern.Document, index.KeyDocument(key));
        }
    }
}
