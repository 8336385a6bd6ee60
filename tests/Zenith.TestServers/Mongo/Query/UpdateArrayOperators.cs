using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>The array update operators' helpers: <c>$push</c> with its modifiers and the <c>$pull</c> condition.</summary>
internal static partial class UpdateOperators
{
    private static void Push(BsonDocument doc, string dotted, string[] path, BsonValue argument)
    {
        var array = ArrayAt(doc, dotted, path, "$push") ?? [];
        if (argument is not BsonDocument spec || spec.ElementCount == 0 || !spec.Names.Any(n => n.StartsWith('$')))
        {
            array.Add(argument);
            UpdatePaths.Set(doc, path, array);
            return;
        }
        if (!spec.Contains("$each"))
        {
            throw CommandException.BadValue($"Unrecognized clause in $push: {spec.GetElement(0).Name}");
        }
        var items = EachArgument(spec, "$push");
        var position = array.Count;
        if (spec.TryGetValue("$position", out var p))
        {
            var n = p.IsNumeric && p.ToDouble() == Math.Floor(p.ToDouble()) ? p.ToInt64() : throw CommandException.BadValue($"The value for $position must be an integer value, not of type: {p.BsonType}");
            position = (int)(n < 0 ? Math.Max(0, array.Count + n) : Math.Min(n, array.Count));
        }
        for (var i = 0; i < items.Count; i++)
        {
            array.Insert(position + i, items[i]);
        }
        if (spec.TryGetValue("$sort", out var sort))
        {
            SortArray(array, sort);
        }
        if (spec.TryGetValue("$slice", out var slice))
        {
            var n = slice.IsNumeric && slice.ToDouble() == Math.Floor(slice.ToDouble()) ? slice.ToInt64() : throw CommandException.BadValue($"The value for $slice must be an integer value but was given type: {slice.BsonType}");
            var keep = (int)Math.Min(Math.Abs(n), array.Count);
            var kept = n >= 0 ? array.Take(keep).ToList() : array.Skip(array.Count - keep).ToList();
            array = [.. kept];
        }
        foreach (var name in spec.Names.Where(n => n is not ("$each" or "$position" or "$sort" or "$slice")))
        {
            throw CommandException.BadValue($"Unrecognized clause in $push: {name}");
        }
        UpdatePaths.Set(doc, path, array);
    }

    private static BsonArray EachArgument(BsonDocument spec, string op) =>
        spec["$each"] as BsonArray ?? throw CommandException.BadValue($"The argument to $each in {op} must be an array but it was of type: {spec["$each"].BsonType}");

    private static void SortArray(BsonArray array, BsonValue sort)
    {
        List<BsonValue> sorted;
        if (sort.IsNumeric && sort.ToDouble() is 1 or -1)
        {
            sorted = [.. array.Order(BsonOrder.Instance)];
            if (sort.ToDouble() < 0)
            {
                sorted.Reverse();
            }
        }
        else if (sort is BsonDocument spec && SortSpec.Parse(spec) is { } byFields)
        {
            var scratch = new List<BsonValue>();
            sorted = [.. array.Select((v, i) => (v, i, key: byFields.KeyOf(new DocumentFieldSource(v as BsonDocument ?? []), scratch)))
                .OrderBy(x => x, Comparer<(BsonValue v, int i, BsonValue[] key)>.Create((a, b) => byFields.CompareKeys(a.key, b.key) is var c && c != 0 ? c : a.i.CompareTo(b.i)))
                .Select(x => x.v)];
        }
        else
        {
            throw CommandException.BadValue("The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields");
        }
        array.Clear();
        array.AddRange(sorted);
    }

    /// <summary>$pull's test for one element: a query on documents, operators on values, or equality.</summary>
    private static Func<BsonValue, bool> PullCondition(BsonValue argument)
    {
        if (argument is BsonDocument d && d.ElementCount > 0)
        {
            if (d.GetElement(0).Name.StartsWith('$') && d.GetElement(0).Name is not ("$and" or "$or" or "$nor"))
            {
                var predicate = Predicate.CompileValue(d);
                return e => predicate.Test([e]);
            }
            var filter = Filter.Compile(d)!;
            return e => e is BsonDocument element && filter.Matches(new DocumentFieldSource(element));
        }
        if (argument is BsonRegularExpression)
        {
            var regex = Predicate.CompileValue(argument);
            return e => regex.Test([e]);
        }
        return e => BsonOrder.AreEqual(e, argument);
    }
}
