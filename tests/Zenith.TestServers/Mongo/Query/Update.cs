using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// An update: a replacement document, or update operators (see <see cref="UpdateOperators"/>) over
/// dotted paths, checked as mongod checks them (unknown modifiers, conflicting paths, the immutable
/// <c>_id</c>), or a pipeline of <c>$addFields $set $project $unset $replaceRoot $replaceWith</c>
/// (with this server's expressions). The positional operators (<c>$</c>, <c>$[]</c>, <c>$[id]</c>) answer NotImplemented.
/// </summary>
internal sealed class Update
{
    private static readonly HashSet<string> PipelineStages = ["$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith"];

    private readonly BsonDocument _spec;
    private readonly List<BsonElement>? _pipeline;
    private readonly DateTimeOffset _now;

    private Update(BsonDocument spec, DateTimeOffset now, bool isReplacement, List<BsonElement>? pipeline = null)
    {
        _spec = spec;
        _now = now;
        IsReplacement = isReplacement;
        _pipeline = pipeline;
    }

    public bool IsReplacement { get; }

    public bool IsPipeline => _pipeline is not null;

    /// <param name="now">The server's time, which <c>$currentDate</c> writes.</param>
    public static Update Parse(BsonValue spec, DateTimeOffset now)
    {
        if (spec is BsonArray stages)
        {
            var pipeline = Aggregation.Parse(stages);
            foreach (var stage in pipeline.Where(s => !PipelineStages.Contains(s.Name)))
            {
                throw CommandException.InvalidOptions($"{stage.Name} is not allowed to be used within an update");
            }
            return new Update([], now, isReplacement: false, pipeline);
        }
        var doc = spec as BsonDocument ?? throw CommandException.FailedToParse("Update argument must be either an object or an array");
        var isOperator = doc.ElementCount > 0 && doc.GetElement(0).Name.StartsWith('$');
        if (!isOperator)
        {
            foreach (var name in doc.Names.Where(n => n.StartsWith('$')))
            {
                throw new CommandException(52, "DollarPrefixedFieldName",
                    $"The dollar ($) prefixed field '{name}' in '{name}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.");
            }
            return new Update(doc, now, isReplacement: true);
        }
        var targets = new List<string>();
        foreach (var element in doc)
        {
            if (!UpdateOperators.Names.Contains(element.Name))
            {
                throw CommandException.FailedToParse($"Unknown modifier: {element.Name}. Expected a valid update modifier or pipeline-style update specified as an array");
            }
            if (element.Value is not BsonDocument fields)
            {
                throw CommandException.FailedToParse($"Modifiers operate on fields but we found type {TypeName(element.Value)} instead. For example: {{$mod: {{<field>: ...}}}} not {{{element.Name}: {element.Value}}}");
            }
            foreach (var field in fields)
            {
                CheckPath(field.Name);
                targets.Add(field.Name);
                if (element.Name == "$rename")
                {
                    var to = field.Value as BsonString ?? throw CommandException.BadValue($"The 'to' field for $rename must be a string: {field.Name}: {field.Value}");
                    CheckPath(to.Value);
                    if (to.Value == field.Name)
                    {
                        throw CommandException.BadValue($"The source and target field for $rename must differ: {field.Name}: \"{to.Value}\"");
                    }
                    targets.Add(to.Value);
                }
            }
        }
        CheckConflicts(targets);
        return new Update(doc, now, isReplacement: false);
    }

    private static string TypeName(BsonValue v) => v.BsonType switch
    {
        BsonType.Int32 => "int",
        BsonType.Int64 => "long",
        BsonType.Double => "double",
        BsonType.String => "string",
        BsonType.Array => "array",
        BsonType.Boolean => "bool",
        BsonType.Null => "null",
        _ => v.BsonType.ToString(),
    };

    private static void CheckPath(string path)
    {
        if (path.Length == 0 || path.Split('.').Any(s => s.Length == 0))
        {
            throw new CommandException(56, "EmptyFieldName", $"An update path '{path}' contains an empty field name, which is not allowed.");
        }
        if (path.Split('.').Any(s => s == "$" || s.StartsWith("$[", StringComparison.Ordinal)))
        {
            throw CommandException.NotImplemented($"the positional update operators ($, $[], $[<identifier>]) are not supported by this test server (path '{path}')");
        }
    }

    // Two operators on the same path, or on a path and one inside it, are refused as mongod refuses them.
    private static void CheckConflicts(List<string> paths)
    {
        for (var i = 0; i < paths.Count; i++)
        {
            for (var j = i + 1; j < paths.Count; j++)
            {
                var (a, b) = (paths[i], paths[j]);
                if (a == b || a.StartsWith(b + ".", StringComparison.Ordinal) || b.StartsWith(a + ".", StringComparison.Ordinal))
                {
                    throw new CommandException(40, "ConflictingUpdateOperators", $"Updating the path '{b}' would create a conflict at '{(a.Length < b.Length ? a : b)}'");
                }
            }
        }
    }

    /// <summary>Applies the update to a copy of <paramref name="original"/> and returns it.</summary>
    public BsonDocument Apply(BsonDocument original, bool isInsert) => Apply(original, isInsert, out _);

    /// <summary>Applies the update; <paramref name="description"/> is its change event's updateDescription (null for a replacement).</summary>
    public BsonDocument Apply(BsonDocument original, bool isInsert, out BsonDocument? description)
    {
        description = null;
        if (IsReplacement)
        {
            return Replace(original);
        }
        if (_pipeline is not null)
        {
            var result = _pipeline.Aggregate((IEnumerable<BsonDocument>)[original], (docs, stage) => AggregationStages.Apply(docs, stage, allowDiskUse: null)).Single();
            if (!result.Contains("_id") && original.TryGetValue("_id", out var keptId))
            {
                // A pipeline that drops _id keeps the document's _id, as mongod's pipeline updates do.
                result.InsertAt(0, new BsonElement("_id", keptId));
            }
            CheckId(original, result);
            description = UpdateDescription.ForDiff(original, result);
            return result;
        }
        var doc = original.DeepClone().AsBsonDocument;
        var applied = new List<(string, string, BsonValue)>();
        foreach (var op in _spec)
        {
            foreach (var field in op.Value.AsBsonDocument)
            {
                UpdateOperators.Apply(doc, op.Name, field.Name, field.Value, isInsert, _now);
                applied.Add((op.Name, field.Name, field.Value));
            }
        }
        CheckId(original, doc);
        description = UpdateDescription.ForOperators(original, doc, applied);
        return doc;
    }

    private static void CheckId(BsonDocument original, BsonDocument updated)
    {
        if (original.TryGetValue("_id", out var originalId) &&
            (!updated.TryGetValue("_id", out var newId) || !BsonOrder.AreEqual(originalId, newId) || originalId.BsonType != newId.BsonType))
        {
            throw ImmutableId();
        }
    }

    private BsonDocument Replace(BsonDocument original)
    {
        var replacement = new BsonDocument();
        if (original.TryGetValue("_id", out var id))
        {
            replacement["_id"] = id;
        }
        foreach (var element in _spec)
        {
            if (element.Name == "_id" && replacement.Contains("_id"))
            {
                if (!BsonOrder.AreEqual(element.Value, replacement["_id"]) || element.Value.BsonType != replacement["_id"].BsonType)
                {
                    throw ImmutableId();
                }
                continue;
            }
            replacement[element.Name] = element.Value;
        }
        return replacement;
    }

    private static CommandException ImmutableId() =>
        new(66, "ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");
}
