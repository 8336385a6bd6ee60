using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// Every document of a collection in the order of one sort specification, kept until the next
/// write. Keyset paging (<c>{$or: [{t: {$gt: x}}, {t: x, _id: {$gt: y}}]}</c> sorted by
/// <c>{t: 1, _id: 1}</c>) then seeks to the first candidate instead of scanning and sorting again.
/// </summary>
internal sealed class SortedView
{
    private const int MaxViewsPerCollection = 4;

    private SortedView(long version, StoredDocument[] documents, BsonValue[] firstKeys, bool firstKeyIsScalar)
    {
        Version = version;
        Documents = documents;
        FirstKeys = firstKeys;
        FirstKeyIsScalar = firstKeyIsScalar;
    }

    public long Version { get; }

    public StoredDocument[] Documents { get; }

    /// <summary>The first sort key of each document, for seeking.</summary>
    public BsonValue[] FirstKeys { get; }

    /// <summary>False when some document holds an array on the first key's path: then sort order and filter matching differ, so no seeking.</summary>
    public bool FirstKeyIsScalar { get; }

    /// <summary>The view for <paramref name="sort"/>, built now if the collection changed since; the caller holds the collection lock.</summary>
    public static SortedView GetLocked(CollectionStore collection, SortSpec sort)
    {
        var name = string.Join(',', sort.Keys.Select(k => k.Path.Dotted + (k.Descending ? ":-1" : ":1")));
        if (collection.SortedViews.TryGetValue(name, out var cached) && cached.Version == collection.Index.Version)
        {
            return cached;
        }
        var index = collection.Index;
        var documents = new StoredDocument[index.Count];
        var keys = new BsonValue[index.Count][];
        var scratch = new List<BsonValue>();
        var scalar = true;
        var i = 0;
        for (var p = IdIndex.Start; index.IsValid(p); p = index.Next(p), i++)
        {
            documents[i] = index[p];
            keys[i] = sort.KeyOf(new RawFieldSource(documents[i].Bytes), scratch);
            var first = sort.Keys[0].Path;
            scratch.Clear();
            first.Collect(new RawFieldSource(documents[i].Bytes), scratch);
            scalar &= scratch.Count <= 1 && (scratch.Count == 0 || scratch[0] is not BsonArray);
        }
        var order = new int[documents.Length];
        for (var j = 0; j < order.Length; j++)
        {
            order[j] = j;
        }
        // Ties keep _id order, so results are deterministic.
        Array.Sort(order, (a, b) =>
        {
            var c = sort.CompareKeys(keys[a], keys[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var sortedDocuments = new StoredDocument[order.Length];
        var firstKeys = new BsonValue[order.Length];
        for (var j = 0; j < order.Length; j++)
        {
            sortedDocuments[j] = documents[order[j]];
            firstKeys[j] = keys[order[j]][0];
        }
        var view = new SortedView(index.Version, sortedDocuments, firstKeys, scalar);
        if (collection.SortedViews.Count >= MaxViewsPerCollection && !collection.SortedViews.ContainsKey(name))
        {
            collection.SortedViews.Clear();
        }
        collection.SortedViews[name] = view;
        return view;
    }

    /// <summary>The first position whose first key is &gt;= <paramref name="bound"/>.</summary>
    public int Seek(BsonValue bound)
    {
        int lo = 0, hi = FirstKeys.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (BsonOrder.CompareValues(FirstKeys[mid], bound) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>
    /// A value every document matching <paramref name="filter"/> has on <paramref name="path"/> at
    /// least (in MongoDB order), from <c>$gt $gte $eq</c>, equality, <c>$and</c>, and <c>$or</c> whose every branch gives one.
    /// </summary>
    public static BsonValue? LowerBound(BsonDocument? filter, string path)
    {
        if (filter is null)
        {
            return null;
        }
        BsonValue? best = null;
        void Consider(BsonValue? candidate)
        {
            if (candidate is not null && (best is null || BsonOrder.CompareValues(candidate, best) > 0))
            {
                best = candidate;
            }
        }
        foreach (var element in filter)
        {
            if (element.Name == path)
            {
                if (element.Value is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
                {
                    foreach (var op in ops)
                    {
                        if (op.Name is "$gt" or "$gte" or "$eq" && op.Value is not BsonArray)
                        {
                            Consider(op.Value);
                        }
                    }
                }
                else if (element.Value is not (BsonArray or BsonRegularExpression))
                {
                    Consider(element.Value);
                }
            }
            else if (element.Name == "$and" && element.Value is BsonArray parts)
            {
                foreach (var part in parts.OfType<BsonDocument>())
                {
                    Consider(LowerBound(part, path));
                }
            }
            else if (element.Name == "$or" && element.Value is BsonArray branches && branches.Count > 0)
            {
                var bounds = branches.Select(b => b is BsonDocument d ? LowerBound(d, path) : null).ToList();
                var all = bounds.OfType<BsonValue>().ToList();
                if (all.Count == bounds.Count)
                {
                    Consider(all.Min(BsonOrder.Instance));
                }
            }
        }
        return best;
    }
}
