using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// How a query reads a collection: an index scan over bounds (in index order, forward or backward) or
/// a collection scan in natural order, and whether a blocking in-memory sort follows.
/// </summary>
internal sealed record QueryPlan(CollectionIndex? Index, IndexBounds? Bounds, bool Backward, bool BlockingSort)
{
    public static QueryPlan CollectionScan(bool backward, bool blockingSort) => new(null, null, backward, blockingSort);

    /// <summary>An <c>_id</c> equality: mongod answers it with the IDHACK stage.</summary>
    public bool IsIdHack => Index is { IsIdIndex: true } && Bounds is { Intervals.Count: 1 } && Bounds.FixesPrefix(1);
}

/// <summary>
/// Chooses a plan the way mongod's planner usually ends up choosing: a hinted index; else an index
/// whose first field the filter bounds (preferring one that also gives the sort order, then the one
/// with the longest equality prefix); else an index that gives the sort order; else a collection
/// scan in natural order, with a blocking sort when a sort was asked for.
/// </summary>
internal static class QueryPlanner
{
    public static QueryPlan Plan(CollectionStore collection, BsonDocument? filter, SortSpec? sort, BsonValue? hint)
    {
        if (hint is not null && !IsEmptyHint(hint))
        {
            return Hinted(collection, filter, sort, hint);
        }
        QueryPlan? best = null;
        var bestScore = -1;
        foreach (var index in collection.Indexes)
        {
            var bounds = IndexBounds.For(index, filter);
            if (!bounds.IsBounded)
            {
                continue;
            }
            var order = SortOrder(index, bounds, sort);
            var score = (order is not null ? 1000 : 0) + (EqualityPrefix(bounds, index) * 10) + (index.IsIdIndex ? 1 : 0);
            if (score > bestScore)
            {
                (best, bestScore) = (new QueryPlan(index, bounds, order ?? false, sort is not null && order is null), score);
            }
        }
        if (best is not null)
        {
            return best;
        }
        if (sort is not null)
        {
            foreach (var index in collection.Indexes)
            {
                var bounds = IndexBounds.Full(index.Pattern.Fields.Count);
                if (SortOrder(index, bounds, sort) is { } backward)
                {
                    return new QueryPlan(index, bounds, backward, BlockingSort: false);
                }
            }
        }
        return QueryPlan.CollectionScan(backward: false, blockingSort: sort is not null);
    }

    private static bool IsEmptyHint(BsonValue hint) => hint is BsonDocument { ElementCount: 0 } || hint is BsonString { Value.Length: 0 };

    private static QueryPlan Hinted(CollectionStore collection, BsonDocument? filter, SortSpec? sort, BsonValue hint)
    {
        if (hint is BsonDocument natural && natural.ElementCount == 1 && natural.GetElement(0).Name == "$natural")
        {
            var backward = natural[0].IsNumeric && natural[0].ToDouble() < 0;
            return QueryPlan.CollectionScan(backward, blockingSort: sort is not null);
        }
        var index = hint switch
        {
            BsonString name => collection.FindIndex(name.Value),
            BsonDocument key => collection.Indexes.Find(i => Bson.BsonOrder.AreEqual(i.Pattern.Document, key)),
            _ => throw CommandException.FailedToParse("hint must be a string or an object"),
        } ?? throw CommandException.BadValue("error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index");
        var bounds = IndexBounds.For(index, filter);
        var order = SortOrder(index, bounds, sort);
        return new QueryPlan(index, bounds, order ?? false, sort is not null && order is null);
    }

    /// <summary>
    /// Null when the index cannot give <paramref name="sort"/>'s order; else whether it is read backward.
    /// Leading fields fixed by equality may be skipped; a multikey index gives no order.
    /// </summary>
    private static bool? SortOrder(CollectionIndex index, IndexBounds bounds, SortSpec? sort)
    {
        if (sort is null)
        {
            return false;
        }
        if (index.IsMultikey)
        {
            return null;
        }
        var fields = index.Pattern.Fields;
        for (var skip = 0; skip <= fields.Count - sort.Keys.Count; skip++)
        {
            if (skip > 0 && !bounds.FixesPrefix(skip))
            {
                break;
            }
            bool? backward = null;
            var matches = true;
            for (var i = 0; i < sort.Keys.Count && matches; i++)
            {
                var field = fields[skip + i];
                var key = sort.Keys[i];
                var reversed = field.Descending != key.Descending;
                matches = field.Path.Dotted == key.Path.Dotted && (backward is null || backward == reversed);
                backward = reversed;
            }
            if (matches)
            {
                return backward ?? false;
            }
        }
        return null;
    }

    private static int EqualityPrefix(IndexBounds bounds, CollectionIndex index)
    {
        var n = 0;
        while (n < index.Pattern.Fields.Count && bounds.FixesPrefix(n + 1))
        {
            n++;
        }
        return n;
    }
}
