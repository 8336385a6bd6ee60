using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>One index entry: a key (one value per key-pattern field) and the record it points to.</summary>
internal readonly record struct IndexEntry(BsonValue[] Key, Record Record);

/// <summary>
/// A B-tree-like index as mongod keeps one: entries ordered by key (each field ascending or descending
/// in MongoDB's comparison order), then by record id. The <c>_id_</c> index is one of these, unique.
/// </summary>
internal sealed class CollectionIndex
{
    public CollectionIndex(string name, IndexKeyPattern pattern, bool unique, BsonDocument spec)
    {
        Name = name;
        Pattern = pattern;
        Unique = unique;
        Spec = spec;
        Order = new KeyOrder(pattern.Descending);
        Entries = new OrderedChunks<IndexEntry>(Comparer<IndexEntry>.Create((a, b) =>
        {
            var c = Order.CompareKeys(a.Key, b.Key);
            return c != 0 ? c : a.Record.RecordId.CompareTo(b.Record.RecordId);
        }));
    }

    public const string IdIndexName = "_id_";

    public string Name { get; }

    public IndexKeyPattern Pattern { get; }

    public bool Unique { get; }

    /// <summary>The index as <c>listIndexes</c> shows it (<c>v</c>, <c>key</c>, <c>name</c>, options).</summary>
    public BsonDocument Spec { get; }

    public KeyOrder Order { get; }

    /// <summary>True once any document put an array on an indexed path (then scans deduplicate records).</summary>
    public bool IsMultikey { get; private set; }

    public OrderedChunks<IndexEntry> Entries { get; }

    public bool IsIdIndex => Name == IdIndexName;

    public static CollectionIndex CreateIdIndex() =>
        new(IdIndexName, IndexKeyPattern.Parse(new BsonDocument("_id", 1)), unique: true,
            new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", IdIndexName } });

    /// <summary>The keys this index holds for <paramref name="document"/>.</summary>
    public List<BsonValue[]> KeysOf(StoredDocument document, out bool throughArray)
    {
        throughArray = false;
        if (IsIdIndex)
        {
            return [[document.Id]];
        }
        var keys = new List<BsonValue[]>(1);
        throughArray = Pattern.GenerateKeys(new RawFieldSource(document.Bytes), keys);
        return keys;
    }

    /// <summary>For a unique index: a key of <paramref name="keys"/> that another record already holds.</summary>
    public BsonValue[]? FindConflict(List<BsonValue[]> keys, Record? self)
    {
        if (!Unique)
        {
            return null;
        }
        foreach (var key in keys)
        {
            var p = Entries.SeekFirst(e => Order.CompareKeys(e.Key, key) >= 0);
            for (; Entries.IsValid(p) && Order.CompareKeys(Entries[p].Key, key) == 0; p = Entries.Next(p))
            {
                if (!ReferenceEquals(Entries[p].Record, self))
                {
                    return key;
                }
            }
        }
        return null;
    }

    /// <summary>The records holding exactly <paramref name="key"/>.</summary>
    public IEnumerable<Record> RecordsWithKey(BsonValue[] key)
    {
        var p = Entries.SeekFirst(e => Order.CompareKeys(e.Key, key) >= 0);
        for (; Entries.IsValid(p) && Order.CompareKeys(Entries[p].Key, key) == 0; p = Entries.Next(p))
        {
            yield return Entries[p].Record;
        }
    }

    public void Add(Record record, List<BsonValue[]> keys, bool throughArray)
    {
        IsMultikey |= throughArray;
        foreach (var key in keys)
        {
            Entries.TryAdd(new IndexEntry(key, record));
        }
    }

    public void Remove(Record record, List<BsonValue[]> keys)
    {
        foreach (var key in keys)
        {
            Entries.Remove(new IndexEntry(key, record));
        }
    }

    /// <summary>The key as <c>{field: value, …}</c>, for duplicate-key errors.</summary>
    public BsonDocument KeyDocument(BsonValue[] key)
    {
        var document = new BsonDocument();
        for (var i = 0; i < key.Length; i++)
        {
            document.Add(Pattern.Fields[i].Path.Dotted, key[i]);
        }
        return document;
    }
}

/// <summary>Compares index keys field by field in MongoDB order, each field ascending or descending.</summary>
internal sealed class KeyOrder(bool[] descending)
{
    public int FieldCount => descending.Length;

    public bool IsDescending(int field) => descending[field];

    public int CompareField(int field, BsonValue a, BsonValue b)
    {
        var c = BsonOrder.CompareValues(a, b);
        return descending[field] ? -c : c;
    }

    public int CompareKeys(BsonValue[] a, BsonValue[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var c = CompareField(i, a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }
}
