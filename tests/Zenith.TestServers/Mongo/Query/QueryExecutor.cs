using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>What a find, count, update, delete or aggregation's leading stages ask of a collection.</summary>
internal sealed record QuerySpec(BsonDocument? FilterDocument, SortSpec? Sort = null, long Skip = 0, long Limit = 0)
{
    public Filter? Filter { get; } = Query.Filter.Compile(FilterDocument);

    public IdRange Range { get; } = IdRange.From(FilterDocument);

    /// <summary>Answered by walking the <c>_id</c> index (no sort, or a sort led by <c>_id</c>).</summary>
    public bool IsIndexOrdered => Sort is null || Sort.Keys[0].Path.Dotted == "_id";
}

internal static class QueryExecutor
{
    public static ServerCursor OpenCursor(string ns, CollectionStore? collection, QuerySpec query, Projection? projection)
    {
        if (collection is null)
        {
            return new ListCursor(ns, [], null);
        }
        if (query.IsIndexOrdered)
        {
            var descending = query.Sort is not null && query.Sort.Keys[0].Descending;
            return new IdScanCursor(ns, collection, query.Filter, query.Range, descending, query.Skip, query.Limit, projection);
        }
        return new ListCursor(ns, Collect(collection, query), projection);
    }

    /// <summary>The matching documents in query order, with skip and limit applied.</summary>
    public static List<StoredDocument> Collect(CollectionStore collection, QuerySpec query)
    {
        lock (collection.Sync)
        {
            if (query.IsIndexOrdered)
            {
                return ScanLocked(collection, query, applyLimits: true);
            }
            if (query.Range.Points is not null)
            {
                return SortFew(ScanLocked(collection, query, applyLimits: false), query);
            }
            var view = SortedView.GetLocked(collection, query.Sort!);
            var start = 0;
            var first = query.Sort!.Keys[0];
            if (view.FirstKeyIsScalar && !first.Descending && SortedView.LowerBound(query.FilterDocument, first.Path.Dotted) is { } bound)
            {
                start = view.Seek(bound);
            }
            var result = new List<StoredDocument>();
            var toSkip = query.Skip;
            if (query.Filter is null)
            {
                // Every document counts toward the skip: jump over them.
                start = (int)Math.Min(toSkip, view.Documents.Length);
                toSkip = 0;
            }
            for (var i = start; i < view.Documents.Length; i++)
            {
                var document = view.Documents[i];
                if (query.Filter is not null && !query.Filter.Matches(new RawFieldSource(document.Bytes)))
                {
                    continue;
                }
                if (toSkip > 0)
                {
                    toSkip--;
                    continue;
                }
                result.Add(document);
                if (query.Limit > 0 && result.Count >= query.Limit)
                {
                    break;
                }
            }
            return result;
        }
    }

    /// <summary>Sorts the few documents an <c>_id</c> lookup found (ties keep <c>_id</c> order), then skips and limits.</summary>
    private static List<StoredDocument> SortFew(List<StoredDocument> found, QuerySpec query)
    {
        var scratch = new List<BsonValue>();
        var keys = found.Select(d => query.Sort!.KeyOf(new RawFieldSource(d.Bytes), scratch)).ToArray();
        var order = Enumerable.Range(0, found.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = query.Sort!.CompareKeys(keys[a], keys[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        IEnumerable<StoredDocument> sorted = order.Select(i => found[i]).Skip((int)Math.Min(query.Skip, int.MaxValue));
        return [.. query.Limit > 0 ? sorted.Take((int)Math.Min(query.Limit, int.MaxValue)) : sorted];
    }

    /// <summary>Scans in <c>_id</c> order (reversed for a descending <c>_id</c> sort); the caller holds the collection lock.</summary>
    public static List<StoredDocument> ScanLocked(CollectionStore collection, QuerySpec query, bool applyLimits)
    {
        var result = new List<StoredDocument>();
        var descending = query.IsIndexOrdered && query.Sort is not null && query.Sort.Keys[0].Descending;
        var toSkip = applyLimits ? query.Skip : 0;
        var cursor = new IdScanCursorState(collection.Index, query.Range, descending, query.Filter is null ? toSkip : 0);
        if (query.Filter is null)
        {
            toSkip = 0;
        }
        foreach (var document in cursor.Documents())
        {
            if (query.Filter is not null && !query.Filter.Matches(new RawFieldSource(document.Bytes)))
            {
                continue;
            }
            if (toSkip > 0)
            {
                toSkip--;
                continue;
            }
            result.Add(document);
            if (applyLimits && query.Limit > 0 && result.Count >= query.Limit)
            {
                break;
            }
        }
        return result;
    }

    public static long Count(CollectionStore? collection, QuerySpec query)
    {
        if (collection is null)
        {
            return 0;
        }
        lock (collection.Sync)
        {
            if (query.Filter is null && query.Range == IdRange.All)
            {
                var n = Math.Max(0, collection.Index.Count - query.Skip);
                return query.Limit > 0 ? Math.Min(n, query.Limit) : n;
            }
            return ScanLocked(collection, query with { Sort = null }, applyLimits: true).Count;
        }
    }

    // The documents in the range (or at the points) in index order, the first `skip` of them jumped over.
    private readonly struct IdScanCursorState(IdIndex index, IdRange range, bool descending, long skip)
    {
        public IEnumerable<StoredDocument> Documents()
        {
            if (range.Points is { } points)
            {
                var toSkip = skip;
                for (var i = 0; i < points.Count; i++)
                {
                    if (index.TryGet(points[descending ? points.Count - 1 - i : i], out var found) && toSkip-- <= 0)
                    {
                        yield return found;
                    }
                }
                yield break;
            }
            var p = descending
                ? (range.Upper is null ? index.Last : index.SeekBackward(range.Upper, range.UpperExclusive))
                : (range.Lower is null ? IdIndex.Start : index.SeekForward(range.Lower, range.LowerExclusive));
            p = index.Advance(p, skip, descending);
            while (index.IsValid(p))
            {
                var document = index[p];
                var bound = descending ? range.Lower : range.Upper;
                if (bound is not null)
                {
                    var c = Bson.BsonOrder.CompareValues(document.Id, bound);
                    var exclusive = descending ? range.LowerExclusive : range.UpperExclusive;
                    if (descending ? (c < 0 || (c == 0 && exclusive)) : (c > 0 || (c == 0 && exclusive)))
                    {
                        yield break;
                    }
                }
                yield return document;
                p = descending ? index.Previous(p) : index.Next(p);
            }
        }
    }
}
