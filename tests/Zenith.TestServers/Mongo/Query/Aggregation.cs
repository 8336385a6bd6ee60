using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// Aggregation pipelines. Leading <c>$match</c>/<c>$sort</c>/<c>$skip</c>/<c>$limit</c> run as a query
/// (with the planner, so an index serves them as in mongod); a leading <c>$sample</c> picks records
/// directly; a trailing count (<c>$count</c>, or <c>$group</c> with a constant key and constant
/// <c>$sum</c>s, as CountDocuments sends) is answered without reading documents; the other stages
/// (see <see cref="AggregationStages"/>) run in memory. Stages MongoDB has and this server does not
/// answer NotImplemented.
/// </summary>
internal static class Aggregation
{
    public static ServerCursor Run(string ns, CollectionStore? collection, BsonArray pipeline, bool? allowDiskUse, BsonValue? hint, Sessions.DocumentAccess access)
    {
        var stages = Parse(pipeline);
        if (stages.Count > 0 && stages[0].Name == "$sample" && access.Transaction is null)
        {
            var size = SampleStage.Size(stages[0].Value);
            List<StoredDocument> sample = [];
            if (collection is not null)
            {
                lock (collection.Sync)
                {
                    sample = SampleStage.FromCollection(collection, size);
                }
            }
            return Finish(ns, sample, stages.Skip(1), allowDiskUse);
        }
        var (query, consumed) = FoldLeadingStages(stages);
        query = query with { AllowDiskUse = allowDiskUse, Hint = hint, CommandName = "aggregate" };
        var rest = stages.Skip(consumed).ToList();
        if (rest.Count == 1 && TryCountOnly(rest[0], out var shape) && access.Transaction is null)
        {
            var n = QueryExecutor.Count(collection, query);
            return ListCursor.Of(ns, n == 0 ? [] : [shape(n)]);
        }
        List<StoredDocument> matches = [];
        if (collection is not null)
        {
            lock (collection.Sync)
            {
                matches = [.. access.Collect(collection, query).Select(v => v.Document)];
            }
        }
        return Finish(ns, matches, rest, allowDiskUse);
    }

    private static ServerCursor Finish(string ns, List<StoredDocument> input, IEnumerable<BsonElement> stages, bool? allowDiskUse)
    {
        var remaining = stages.ToList();
        if (remaining.Count == 0)
        {
            return new ListCursor(ns, input, null);
        }
        IEnumerable<BsonDocument> documents = input.Select(m => RawBson.ToDocument(m.Bytes));
        foreach (var stage in remaining)
        {
            documents = AggregationStages.Apply(documents, stage, allowDiskUse);
        }
        return ListCursor.Of(ns, documents.ToList());
    }

    /// <summary>Checks each stage's shape and name; a stage MongoDB has but this server lacks answers NotImplemented.</summary>
    public static List<BsonElement> Parse(BsonArray pipeline)
    {
        var stages = new List<BsonElement>();
        foreach (var s in pipeline)
        {
            if (s is not BsonDocument d || d.ElementCount != 1)
            {
                throw new CommandException(40323, "Location40323", "A pipeline stage specification object must contain exactly one field.");
            }
            var stage = d.GetElement(0);
            AggregationStages.CheckSupported(stage.Name);
            stages.Add(stage);
        }
        return stages;
    }

    private static (QuerySpec Query, int Consumed) FoldLeadingStages(List<BsonElement> stages)
    {
        BsonDocument? filter = null;
        SortSpec? sort = null;
        long skip = 0, limit = 0;
        var i = 0;
        for (; i < stages.Count; i++)
        {
            var (name, value) = (stages[i].Name, stages[i].Value);
            if (name == "$match" && sort is null && skip == 0 && limit == 0)
            {
                var match = value as BsonDocument ?? throw new CommandException(15959, "Location15959", "the match filter must be an expression in an object");
                filter = filter is null ? match : new BsonDocument("$and", new BsonArray { filter, match });
            }
            else if (name == "$sort" && sort is null && skip == 0 && limit == 0)
            {
                sort = AggregationStages.ParseSort(value);
            }
            else if (name == "$skip")
            {
                var n = AggregationStages.SkipCount(value);
                if (limit > 0 && n >= limit)
                {
                    // Skips everything the limit lets through; folded, limit 0 would mean "no limit". Run it in memory.
                    break;
                }
                skip += n;
                if (limit > 0)
                {
                    limit -= n;
                }
            }
            else if (name == "$limit")
            {
                var n = AggregationStages.LimitCount(value);
                limit = limit == 0 ? n : Math.Min(limit, n);
            }
            else
            {
                break;
            }
        }
        return (new QuerySpec(filter, sort, skip, limit), i);
    }

    private static bool TryCountOnly(BsonElement stage, out Func<long, BsonDocument> shape)
    {
        if (stage.Name == "$count")
        {
            var field = AggregationStages.CountField(stage.Value);
            shape = n => new BsonDocument(field, Number(n));
            return true;
        }
        if (stage.Name == "$group" && stage.Value is BsonDocument group && group.TryGetValue("_id", out var id) &&
            !(id is BsonString s && s.Value.StartsWith('$')) && id is not BsonDocument &&
            group.Elements.Where(e => e.Name != "_id").All(e => e.Value is BsonDocument acc && acc.ElementCount == 1 &&
                acc.GetElement(0).Name == "$sum" && acc.GetElement(0).Value.BsonType is BsonType.Int32 or BsonType.Int64))
        {
            shape = n =>
            {
                var result = new BsonDocument("_id", id);
                foreach (var e in group.Elements.Where(e => e.Name != "_id"))
                {
                    result[e.Name] = ConstantSum(e.Value.AsBsonDocument[0], n);
                }
                return result;
            };
            return true;
        }
        shape = _ => [];
        return false;
    }

    // What $sum of the same integer over n documents gives: an int, a long past int's range, a double past long's.
    private static BsonValue ConstantSum(BsonValue each, long n)
    {
        try
        {
            var total = checked(each.ToInt64() * n);
            return each.BsonType == BsonType.Int32 && total is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)total) : new BsonInt64(total);
        }
        catch (OverflowException)
        {
            return new BsonDouble((double)each.ToInt64() * n);
        }
    }

    private static BsonValue Number(long n) => n is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n);
}
