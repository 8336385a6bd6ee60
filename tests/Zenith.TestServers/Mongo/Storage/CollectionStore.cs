using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// One in-memory collection: records in insertion (natural) order and its indexes, the first of which
/// is <c>_id_</c>. Every read and write happens under <see cref="Sync"/>; stored documents are
/// immutable, so a reader may keep references after unlocking. A write that would break a unique
/// index changes nothing and answers E11000.
/// </summary>
internal sealed class CollectionStore
{
    private long _nextRecordId = 1;

    public CollectionStore(string database, string name, BsonDocument? options = null)
    {
        Database = database;
        Name = name;
        Options = options ?? [];
        Indexes = [CollectionIndex.CreateIdIndex()];
    }

    public string Database { get; }

    public string Name { get; }

    public string Namespace => Database + "." + Name;

    /// <summary>The options the collection was created with, as <c>listCollections</c> shows them.</summary>
    public BsonDocument Options { get; set; }

    public Guid Uuid { get; } = Guid.NewGuid();

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
    public Record Insert(StoredDocument document)
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
        return record;
    }

    /// <summary>Replaces a record's document (same <c>_id</c>, same record id), moving only the index keys that changed.</summary>
    public void Replace(Record record, StoredDocument updated)
    {
        var before = new List<BsonValue[]>[Indexes.Count];
        var after = new List<BsonValue[]>[Indexes.Count];
        var arrays = new bool[Indexes.Count];
        for (var i = 0; i < Indexes.Count; i++)
        {
            before[i] = Indexes[i].KeysOf(record.Document, out _);
            after[i] = Indexes[i].KeysOf(updated, out arrays[i]);
            ThrowOnConflict(Indexes[i], after[i], record);
        }
        for (var i = 0; i < Indexes.Count; i++)
        {
            var index = Indexes[i];
            var removed = before[i].Where(k => !after[i].Exists(n => index.Order.CompareKeys(n, k) == 0)).ToList();
            var added = after[i].Where(k => !before[i].Exists(o => index.Order.CompareKeys(o, k) == 0)).ToList();
            index.Remove(record, removed);
            index.Add(record, added, arrays[i]);
        }
        record.Document = updated;
        Version++;
    }

    public void Delete(Record record)
    {
        foreach (var index in Indexes)
        {
            index.Remove(record, index.KeysOf(record.Document, out _));
        }
        Records.Remove(record);
        Version++;
    }

    public void Clear()
    {
        Records.Clear();
        foreach (var index in Indexes)
        {
            index.Entries.Clear();
        }
        Version++;
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
    }

    public bool DropIndex(CollectionIndex index)
    {
        Version++;
        return Indexes.Remove(index);
    }

    private void ThrowOnConflict(CollectionIndex index, List<BsonValue[]> keys, Record? self)
    {
        if (index.FindConflict(keys, self) is { } key)
        {
            throw CommandException.DuplicateKey(Namespace, index.Name, index.Pattern.Document, index.KeyDocument(key));
        }
    }
}
