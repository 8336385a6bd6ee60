using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// An update: a replacement document, or operators (<c>$set $unset $inc $mul $min $max $rename
/// $setOnInsert $push $addToSet $currentDate</c>) over dotted paths.
/// </summary>
internal sealed class Update
{
    private static readonly HashSet<string> Operators =
        ["$set", "$unset", "$inc", "$mul", "$min", "$max", "$rename", "$setOnInsert", "$push", "$addToSet", "$currentDate"];

    private readonly BsonDocument _spec;

    private Update(BsonDocument spec, bool isReplacement)
    {
        _spec = spec;
        IsReplacement = isReplacement;
    }

    public bool IsReplacement { get; }

    public static Update Parse(BsonValue spec)
    {
        if (spec is BsonArray)
        {
            throw CommandException.NotImplemented("update pipelines are not supported by this test server");
        }
        var doc = spec.AsBsonDocument;
        var isOperator = doc.ElementCount > 0 && doc.GetElement(0).Name.StartsWith('$');
        if (isOperator)
        {
            foreach (var element in doc)
            {
                if (!Operators.Contains(element.Name))
                {
                    throw CommandException.FailedToParse($"Unknown modifier: {element.Name}. Expected a valid update modifier or pipeline-style update specified as an array");
                }
                if (element.Value is not BsonDocument)
                {
                    throw CommandException.FailedToParse($"Modifiers operate on fields but we found type {element.Value.BsonType} instead.");
                }
            }
        }
        else if (doc.Names.Any(n => n.StartsWith('$')))
        {
            throw CommandException.BadValue("The dollar ($) prefixed field is not allowed in a replacement document");
        }
        return new Update(doc, !isOperator);
    }

    /// <summary>Applies the update to a copy of <paramref name="original"/> and returns it.</summary>
    public BsonDocument Apply(BsonDocument original, bool isInsert)
    {
        if (IsReplacement)
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
                    if (!BsonOrder.AreEqual(element.Value, replacement["_id"]))
                    {
                        throw ImmutableId();
                    }
                    continue;
                }
                replacement[element.Name] = element.Value;
            }
            return replacement;
        }
        var doc = original.DeepClone().AsBsonDocument;
        foreach (var op in _spec)
        {
            foreach (var field in op.Value.AsBsonDocument)
            {
                ApplyOne(doc, op.Name, field.Name.Split('.'), field.Value, isInsert);
            }
        }
        if (original.TryGetValue("_id", out var originalId) &&
            (!doc.TryGetValue("_id", out var newId) || !BsonOrder.AreEqual(originalId, newId)))
        {
            throw ImmutableId();
        }
        return doc;
    }

    private static CommandException ImmutableId() =>
        new(66, "ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");

    private static void ApplyOne(BsonDocument doc, string op, string[] path, BsonValue argument, bool isInsert)
    {
        switch (op)
        {
            case "$set":
                Set(doc, path, argument);
                break;
            case "$setOnInsert":
                if (isInsert)
                {
                    Set(doc, path, argument);
                }
                break;
            case "$unset":
                Unset(doc, path);
                break;
            case "$inc":
            case "$mul":
                {
                    var current = Get(doc, path);
                    if (!argument.IsNumeric)
                    {
                        throw CommandException.TypeMismatch($"Cannot {op[1..]} with non-numeric argument: {{{string.Join('.', path)}: {argument}}}");
                    }
                    if (current is not null && !current.IsNumeric)
                    {
                        throw CommandException.TypeMismatch($"Cannot apply {op} to a value of non-numeric type. {{_id: ...}} has the field '{string.Join('.', path)}' of non-numeric type {current.BsonType}");
                    }
                    var start = current ?? (op == "$inc" ? new BsonInt32(0) : new BsonInt32(0));
                    Set(doc, path, Arithmetic(start, argument, op == "$mul"));
                    break;
                }
            case "$min":
            case "$max":
                {
                    var current = Get(doc, path);
                    var c = current is null ? 0 : BsonOrder.CompareValues(argument, current);
                    if (current is null || (op == "$min" ? c < 0 : c > 0))
                    {
                        Set(doc, path, argument);
                    }
                    break;
                }
            case "$rename":
                {
                    var current = Get(doc, path);
                    if (current is not null)
                    {
                        Unset(doc, path);
                        Set(doc, argument.AsString.Split('.'), current);
                    }
                    break;
                }
            case "$currentDate":
                {
                    var asTimestamp = argument is BsonDocument d && d.GetValue("$type", "date").AsString == "timestamp";
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    Set(doc, path, asTimestamp ? new BsonTimestamp((int)(now / 1000), 1) : new BsonDateTime(now));
                    break;
                }
            case "$push":
            case "$addToSet":
                {
                    var current = Get(doc, path);
                    if (current is not null && current is not BsonArray)
                    {
                        throw new CommandException(2, "BadValue", $"The field '{string.Join('.', path)}' must be an array but is of type {current.BsonType}");
                    }
                    var array = current as BsonArray ?? [];
                    IEnumerable<BsonValue> items = argument is BsonDocument each && each.TryGetValue("$each", out var list) ? list.AsBsonArray : [argument];
                    foreach (var item in items)
                    {
                        if (op == "$push" || !array.Any(existing => BsonOrder.AreEqual(existing, item)))
                        {
                            array.Add(item);
                        }
                    }
                    Set(doc, path, array);
                    break;
                }
        }
    }

    private static BsonValue Arithmetic(BsonValue a, BsonValue b, bool multiply)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            var x = a.ToDecimal();
            var y = b.ToDecimal();
            return new BsonDecimal128(multiply ? x * y : x + y);
        }
        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            return new BsonDouble(multiply ? a.ToDouble() * b.ToDouble() : a.ToDouble() + b.ToDouble());
        }
        var l = multiply ? a.ToInt64() * b.ToInt64() : a.ToInt64() + b.ToInt64();
        if (a.BsonType == BsonType.Int32 && b.BsonType == BsonType.Int32 && l is >= int.MinValue and <= int.MaxValue)
        {
            return new BsonInt32((int)l);
        }
        return new BsonInt64(l);
    }

    private static BsonValue? Get(BsonDocument doc, string[] path)
    {
        BsonValue current = doc;
        foreach (var segment in path)
        {
            switch (current)
            {
                case BsonDocument d when d.TryGetValue(segment, out var next):
                    current = next;
                    break;
                case BsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count:
                    current = a[i];
                    break;
                default:
                    return null;
            }
        }
        return current;
    }

    private static void Set(BsonDocument doc, string[] path, BsonValue value)
    {
        BsonValue container = doc;
        for (var i = 0; i < path.Length; i++)
        {
            var segment = path[i];
            var last = i == path.Length - 1;
            switch (container)
            {
                case BsonDocument d:
                    if (last)
                    {
                        d[segment] = value;
                        return;
                    }
                    if (!d.TryGetValue(segment, out var next))
                    {
                        next = new BsonDocument();
                        d[segment] = next;
                    }
                    container = next;
                    break;
                case BsonArray a when int.TryParse(segment, out var index) && index >= 0:
                    while (a.Count <= index)
                    {
                        a.Add(BsonNull.Value);
                    }
                    if (last)
                    {
                        a[index] = value;
                        return;
                    }
                    if (a[index] is not (BsonDocument or BsonArray))
                    {
                        a[index] = new BsonDocument();
                    }
                    container = a[index];
                    break;
                default:
                    throw new CommandException(28, "PathNotViable", $"Cannot create field '{segment}' in element {{{path[Math.Max(0, i - 1)]}: {container}}}");
            }
        }
    }

    private static void Unset(BsonDocument doc, string[] path)
    {
        BsonValue? container = doc;
        for (var i = 0; i < path.Length - 1 && container is not null; i++)
        {
            container = container switch
            {
                BsonDocument d => d.TryGetValue(path[i], out var next) ? next : null,
                BsonArray a when int.TryParse(path[i], out var index) && index >= 0 && index < a.Count => a[index],
                _ => null,
            };
        }
        switch (container)
        {
            case BsonDocument d:
                d.Remove(path[^1]);
                break;
            case BsonArray a when int.TryParse(path[^1], out var index) && index >= 0 && index < a.Count:
                a[index] = BsonNull.Value;
                break;
        }
    }
}
