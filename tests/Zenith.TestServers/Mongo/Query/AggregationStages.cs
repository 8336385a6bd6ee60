using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// The pipeline stages run in memory: <c>$match $sort $skip $limit $project $addFields $set $unset
/// $replaceRoot $replaceWith $unwind $group $count $sample</c>, with mongod's validation errors.
/// </summary>
internal static class AggregationStages
{
    private static readonly HashSet<string> Implemented =
    [
        "$match", "$sort", "$skip", "$limit", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith",
        "$unwind", "$group", "$count", "$sample",
    ];

    // Stages MongoDB 7.0 has; those this server lacks answer NotImplemented, anything else is unknown (40324).
    private static readonly HashSet<string> Known =
    [
        "$bucket", "$bucketAuto", "$changeStream", "$changeStreamSplitLargeEvent", "$collStats", "$currentOp", "$densify",
        "$documents", "$facet", "$fill", "$geoNear", "$graphLookup", "$indexStats", "$listLocalSessions",
        "$listSampledQueries", "$listSearchIndexes", "$listSessions", "$lookup", "$merge", "$out", "$planCacheStats",
        "$redact", "$search", "$searchMeta", "$setWindowFields", "$shardedDataDistribution", "$sortByCount",
        "$unionWith", "$vectorSearch",
    ];

    public static void CheckSupported(string stage)
    {
        // $changeStream is handled by the aggregate command itself (ChangeStreams/).
        if (Implemented.Contains(stage) || stage == "$changeStream")
        {
            return;
        }
        if (Known.Contains(stage))
        {
            throw CommandException.NotImplemented($"the {stage} aggregation stage is not supported by this test server");
        }
        throw new CommandException(40324, "Location40324", $"Unrecognized pipeline stage name: '{stage}'");
    }

    public static SortSpec ParseSort(BsonValue value) =>
        SortSpec.Parse(value as BsonDocument ?? throw new CommandException(15973, "Location15973", "the $sort key specification must be an object"))
        ?? throw new CommandException(15976, "Location15976", "$sort stage must have at least one sort key");

    public static long SkipCount(BsonValue value)
    {
        if (!value.IsNumeric)
        {
            throw new CommandException(5107200, "Location5107200", $"invalid argument to $skip stage: Expected a number in: $skip: {value}");
        }
        var n = value.ToInt64();
        return n >= 0 ? n : throw new CommandException(5107200, "Location5107200", $"invalid argument to $skip stage: Expected a non-negative number in: $skip: {n}");
    }

    public static long LimitCount(BsonValue value)
    {
        if (!value.IsNumeric)
        {
            throw new CommandException(5107201, "Location5107201", $"invalid argument to $limit stage: Expected a number in: $limit: {value}");
        }
        var n = value.ToInt64();
        return n > 0 ? n : throw new CommandException(15958, "Location15958", "the limit must be positive");
    }

    public static string CountField(BsonValue value)
    {
        if (value is not BsonString { Value: var field })
        {
            throw new CommandException(40156, "Location40156", "the count field must be a non-empty string");
        }
        if (field.Length == 0)
        {
            throw new CommandException(40157, "Location40157", "the count field must be a non-empty string");
        }
        if (field.StartsWith('$'))
        {
            throw new CommandException(40158, "Location40158", "the count field cannot be a $-prefixed path");
        }
        return field.Contains('.', StringComparison.Ordinal)
            ? throw new CommandException(40160, "Location40160", "the count field cannot contain '.'")
            : field;
    }

    public static IEnumerable<BsonDocument> Apply(IEnumerable<BsonDocument> input, BsonElement stage, bool? allowDiskUse)
    {
        switch (stage.Name)
        {
            case "$match":
                {
                    var filter = Filter.Compile(stage.Value as BsonDocument ?? throw new CommandException(15959, "Location15959", "the match filter must be an expression in an object"));
                    return filter is null ? input : input.Where(d => filter.Matches(new DocumentFieldSource(d)));
                }
            case "$sort":
                return Sort(input, ParseSort(stage.Value), allowDiskUse);
            case "$skip":
                return input.Skip((int)Math.Min(SkipCount(stage.Value), int.MaxValue));
            case "$limit":
                return input.Take((int)Math.Min(LimitCount(stage.Value), int.MaxValue));
            case "$project":
                return Project(input, stage.Value as BsonDocument ?? throw new CommandException(15969, "Location15969", "$project specification must be an object"));
            case "$unset":
                return input.Select(UnsetProjection(stage.Value).Apply);
            case "$addFields":
            case "$set":
                return input.Select(d => AddFields(d, stage.Value as BsonDocument ?? throw new CommandException(40272, "Location40272", $"{stage.Name} specification stage must be an object, got {stage.Value.BsonType}")));
            case "$replaceRoot":
                {
                    var spec = stage.Value as BsonDocument ?? throw new CommandException(40228, "Location40228", "expected an object as specification for $replaceRoot stage");
                    var newRoot = spec.GetValue("newRoot", null) ?? throw new CommandException(40231, "Location40231", "no newRoot specified for the $replaceRoot stage");
                    return input.Select(d => ReplaceRoot(d, newRoot));
                }
            case "$replaceWith":
                return input.Select(d => ReplaceRoot(d, stage.Value));
            case "$count":
                {
                    var field = CountField(stage.Value);
                    var n = input.LongCount();
                    return n == 0 ? [] : [new BsonDocument(field, n <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n))];
                }
            case "$unwind":
                return Unwind(input, stage.Value);
            case "$group":
                return GroupStage.Apply(input, stage.Value as BsonDocument ?? throw new CommandException(15947, "Location15947", "a group's fields must be specified in an object"));
            case "$sample":
                return SampleStage.FromStream(input, SampleStage.Size(stage.Value));
            case "$changeStream":
                throw new CommandException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline.");
            default:
                throw new CommandException(40324, "Location40324", $"Unrecognized pipeline stage name: '{stage.Name}'");
        }
    }

    private static IEnumerable<BsonDocument> Sort(IEnumerable<BsonDocument> input, SortSpec sort, bool? allowDiskUse)
    {
        var records = input.Select((d, i) => new Record(i, new StoredDocument(BsonNull.Value, d.ToBson())));
        return BlockingSort.Run(records, sort, 0, 0, allowDiskUse, "aggregate").Select(r => Bson.RawBson.ToDocument(r.Document.Bytes));
    }

    // Inclusions and exclusions as in find; any other value is a computed field (an expression, here a path or a literal).
    private static IEnumerable<BsonDocument> Project(IEnumerable<BsonDocument> input, BsonDocument spec)
    {
        if (spec.ElementCount == 0)
        {
            throw new CommandException(51272, "Location51272", "Invalid $project :: caused by :: projection specification must have at least one field");
        }
        var computed = spec.Elements.Where(e => e.Value is not (BsonBoolean or BsonInt32 or BsonInt64 or BsonDouble or BsonDecimal128)).ToList();
        if (computed.Count == 0)
        {
            var projection = Projection.Parse(spec)!;
            return input.Select(projection.Apply);
        }
        var kept = new BsonDocument(spec.Elements.Where(e => !computed.Contains(e)));
        if (kept.Elements.Any(e => e.Name != "_id" && !e.Value.ToBoolean()))
        {
            throw new CommandException(31254, "Location31254", "Invalid $project :: caused by :: Cannot use exclusion in an inclusion projection");
        }
        var inclusion = kept.Elements.Any(e => e.Name != "_id") ? Projection.Parse(kept) : null;
        var keepId = !kept.TryGetValue("_id", out var id) || id.ToBoolean();
        return input.Select(d =>
        {
            var result = inclusion?.Apply(d) ?? (keepId && d.TryGetValue("_id", out var value) ? new BsonDocument("_id", value) : []);
            foreach (var field in computed)
            {
                if (Expressions.Evaluate(field.Value, d) is { } v)
                {
                    Expressions.SetPath(result, field.Name, v);
                }
            }
            return result;
        });
    }

    private static Projection UnsetProjection(BsonValue spec)
    {
        var fields = spec switch
        {
            BsonString s => [s.Value],
            BsonArray a when a.Count > 0 && a.All(v => v is BsonString) => a.Select(v => v.AsString).ToList(),
            _ => throw new CommandException(31002, "Location31002", "$unset specification must be a string or an array of strings"),
        };
        var exclusion = new BsonDocument();
        foreach (var field in fields)
        {
            exclusion[field] = 0;
        }
        return Projection.Parse(exclusion)!;
    }

    private static BsonDocument AddFields(BsonDocument document, BsonDocument spec)
    {
        var result = document.DeepClone().AsBsonDocument;
        foreach (var field in spec)
        {
            // Each new value is computed from the input document, not from fields added before it.
            var value = Expressions.Evaluate(field.Value, document);
            if (value is null)
            {
                continue;
            }
            Expressions.SetPath(result, field.Name, value);
        }
        return result;
    }

    private static BsonDocument ReplaceRoot(BsonDocument document, BsonValue expression) =>
        Expressions.Evaluate(expression, document) as BsonDocument
            ?? throw new CommandException(40228, "Location40228", $"'newRoot' expression must evaluate to an object, but resulting value was: {Expressions.Evaluate(expression, document)?.ToString() ?? "MISSING"}");

    private static IEnumerable<BsonDocument> Unwind(IEnumerable<BsonDocument> input, BsonValue spec)
    {
        string path;
        string? indexField = null;
        var preserve = false;
        switch (spec)
        {
            case BsonString s:
                path = s.Value;
                break;
            case BsonDocument d:
                foreach (var option in d.Names.Where(n => n is not ("path" or "includeArrayIndex" or "preserveNullAndEmptyArrays")))
                {
                    throw new CommandException(28811, "Location28811", $"unrecognized option to $unwind stage: {option}");
                }
                path = (d.GetValue("path", BsonNull.Value) as BsonString)?.Value
                    ?? throw new CommandException(28812, "Location28812", "no path specified to $unwind stage");
                indexField = d.GetValue("includeArrayIndex", BsonNull.Value) is BsonString i ? i.Value : null;
                preserve = d.GetValue("preserveNullAndEmptyArrays", false).ToBoolean();
                break;
            default:
                throw new CommandException(15981, "Location15981", $"expected either a string or an object as specification for $unwind stage, got {spec.BsonType}");
        }
        if (!path.StartsWith('$'))
        {
            throw new CommandException(28818, "Location28818", $"path option to $unwind stage should be prefixed with a '$': {path}");
        }
        var field = path[1..];
        foreach (var document in input)
        {
            // $unwind follows the path through documents only, never through arrays.
            var value = Expressions.DocumentPath(document, field);
            if (value is BsonArray { Count: > 0 } array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    var copy = document.DeepClone().AsBsonDocument;
                    Expressions.SetPath(copy, field, array[i]);
                    if (indexField is not null)
                    {
                        Expressions.SetPath(copy, indexField, new BsonInt64(i));
                    }
                    yield return copy;
                }
            }
            else if (value is not (null or BsonNull or BsonArray) || preserve)
            {
                var copy = document.DeepClone().AsBsonDocument;
                if (indexField is not null)
                {
                    Expressions.SetPath(copy, indexField, BsonNull.Value);
                }
                yield return copy;
            }
        }
    }
}
