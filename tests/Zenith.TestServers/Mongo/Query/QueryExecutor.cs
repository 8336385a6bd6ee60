using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>What a find, count, update, delete or an aggregation's leading stages ask of a collection.</summary>
internal sealed record QuerySpec(BsonDocument? FilterDocument, SortSpec? Sort = null, long Skip = 0, long Limit = 0)
{
    public Filter? Filter { get; } = Query.Filter.Compile(FilterDocument);

    /// <summary>An index name, key pattern or <c>{$natural: ±1}</c>, as the command's <c>hint</c>.</summary>
    public BsonValue? Hint { get; init; }

    /// <summary>The command's <c>allowDiskUse</c>; only an explicit false makes a large sort fail.</summary>
    public bool? AllowDiskUse { get; init; }

    /// <summary>The command name errors mention ("find", "aggregate"…).</summary>
    public string CommandName { get; init; } = "find";
}

internal static class QueryExecutor
{
    public static QueryPlan Plan(CollectionStore collection, QuerySpec query) =>
        QueryPlanner.Plan(collection, query.FilterDocument, query.Sort, query.Hint);

    /// <summary>
    /// A cursor for a find: a live scan of the plan, or, when a blocking sort is needed, the sorted
    /// matches read now (a snapshot, as mongod's in-memory sort is).
    /// </summary>
    public static ServerCursor OpenCursor(string ns, CollectionStore? collection, QuerySpec query, Projection? projection)
    {
        if (collection is null)
        {
            // A plan is still made, so a hint naming no index is an error even on a missing collection.
            if (query.Hint is not null)
            {
                QueryPlanner.Plan(new CollectionStore("", ""), query.FilterDocument, query.Sort, query.Hint);
            }
            return new ListCursor(ns, [], null);
        }
        lock (collection.Sync)
        {
            var plan = Plan(collection, query);
            if (!plan.BlockingSort)
            {
                return new PlanCursor(ns, collection, plan, query.Filter, query.Skip, query.Limit, projection);
            }
            var sorted = Sorted(collection, plan, query);
            return new ListCursor(ns, [.. sorted.Select(r => r.Document)], projection);
        }
    }

    /// <summary>The matching records in query order, with skip and limit applied; the caller holds the collection lock.</summary>
    public static List<Record> Collect(CollectionStore collection, QuerySpec query)
    {
        var plan = Plan(collection, query);
        if (plan.BlockingSort)
        {
            return Sorted(collection, plan, query);
        }
        var result = new List<Record>();
        var toSkip = query.Skip;
        new PlanScan(collection, plan).Run(record =>
        {
            if (query.Filter is not null && !query.Filter.Matches(new RawFieldSource(record.Document.Bytes)))
            {
                return ScanStep.Continue;
            }
            if (toSkip > 0)
            {
                toSkip--;
                return ScanStep.Continue;
            }
            result.Add(record);
            return query.Limit > 0 && result.Count >= query.Limit ? ScanStep.Done : ScanStep.Continue;
        });
        return result;
    }

    private static List<Record> Sorted(CollectionStore collection, QueryPlan plan, QuerySpec query) =>
        BlockingSort.Run(Matches(collection, plan, query.Filter), query.Sort!, query.Skip, query.Limit, query.AllowDiskUse, query.CommandName);

    private static List<Record> Matches(CollectionStore collection, QueryPlan plan, Filter? filter)
    {
        var matches = new List<Record>();
        new PlanScan(collection, plan).Run(record =>
        {
            if (filter is null || filter.Matches(new RawFieldSource(record.Document.Bytes)))
            {
                matches.Add(record);
            }
            return ScanStep.Continue;
        });
        return matches;
    }

    public static long Count(CollectionStore? collection, QuerySpec query)
    {
        if (collection is null)
        {
            return 0;
        }
        lock (collection.Sync)
        {
            if (query.Filter is null && query.Hint is null)
            {
                var n = Math.Max(0, collection.Count - query.Skip);
                return query.Limit > 0 ? Math.Min(n, query.Limit) : n;
            }
            return Collect(collection, query with { Sort = null }).Count;
        }
    }
}
