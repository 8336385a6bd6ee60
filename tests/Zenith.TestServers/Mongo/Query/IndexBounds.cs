using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// The ranges of an index a filter can match, as mongod's planner builds index bounds: the filter is
/// spread into a few conjunctions (one per <c>$or</c> branch), each conjunction's predicates on the
/// index's fields become intervals per field, equality prefixes combine with the next field's range
/// (so keyset paging <c>{$or: [{t: {$gt: v}}, {t: v, _id: {$gt: id}}]}</c> seeks straight to
/// <c>(v, id)</c>), and the conjunctions' ranges are merged. The filter is still applied to every
/// document, so bounds only ever need to contain the matches, never to be exact.
/// </summary>
internal sealed class IndexBounds
{
    private const int MaxConjunctions = 64;
    private const int MaxIntervals = 256;

    private IndexBounds(List<KeyInterval> intervals, List<List<ValueInterval>?> perField)
    {
        Intervals = intervals;
        PerField = perField;
    }

    /// <summary>The merged ranges to scan, in index order.</summary>
    public List<KeyInterval> Intervals { get; }

    /// <summary>Each field's allowed values over all conjunctions (null: any value), for explain.</summary>
    public List<List<ValueInterval>?> PerField { get; }

    /// <summary>True when the filter constrains the index's first field, so a scan need not read it all.</summary>
    public bool IsBounded => !(Intervals.Count == 1 && Intervals[0].IsAll);

    /// <summary>Whether the filter fixes the first <paramref name="fields"/> fields to one value each (then the rest orders the scan).</summary>
    public bool FixesPrefix(int fields) =>
        Enumerable.Range(0, fields).All(i => PerField[i] is [{ IsPoint: true }]);

    public static IndexBounds Full(int fieldCount) =>
        new([KeyInterval.All], [.. Enumerable.Repeat<List<ValueInterval>?>(null, fieldCount)]);

    public static IndexBounds For(CollectionIndex index, BsonDocument? filter)
    {
        var fields = index.Pattern.Fields;
        if (filter is null || filter.ElementCount == 0)
        {
            return Full(fields.Count);
        }
        var conjunctions = Conjunctions(filter);
        var intervals = new List<KeyInterval>();
        var perField = new List<ValueInterval>?[fields.Count];
        var firstConjunction = true;
        foreach (var conjunction in conjunctions)
        {
            var values = new List<ValueInterval>?[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                values[i] = FieldIntervals(conjunction, fields[i].Path.Dotted, index.IsMultikey);
                perField[i] = firstConjunction ? values[i] : perField[i] is null || values[i] is null ? null : [.. perField[i]!, .. values[i]!];
            }
            firstConjunction = false;
            intervals.AddRange(Compound(index.Order, values));
        }
        return new IndexBounds(KeyInterval.Union(index.Order, intervals), [.. perField]);
    }

    /// <summary>The filter as a disjunction of conjunctions of (path, condition), expanding <c>$and</c> and small <c>$or</c>s.</summary>
    private static List<List<(string Path, BsonValue Condition)>> Conjunctions(BsonDocument filter)
    {
        List<List<(string, BsonValue)>> result = [[]];
        foreach (var element in filter)
        {
            if (element.Name is "$and" && element.Value is BsonArray parts)
            {
                foreach (var part in parts.OfType<BsonDocument>())
                {
                    result = Product(result, Conjunctions(part));
                }
            }
            else if (element.Name is "$or" && element.Value is BsonArray branches && branches.Count > 0)
            {
                var alternatives = branches.OfType<BsonDocument>().SelectMany(Conjunctions).ToList();
                // A large $or only narrows the scan; left out, it still filters every document.
                result = Product(result, alternatives);
            }
            else if (!element.Name.StartsWith('$'))
            {
                foreach (var conjunction in result)
                {
                    conjunction.Add((element.Name, element.Value));
                }
            }
        }
        return result;
    }

    private static List<List<(string, BsonValue)>> Product(List<List<(string, BsonValue)>> a, List<List<(string, BsonValue)>> b)
    {
        if (a.Count * b.Count > MaxConjunctions)
        {
            return a;
        }
        return [.. a.SelectMany(x => b.Select(y => x.Concat(y).ToList()))];
    }

    /// <summary>The intervals a conjunction allows for one path, or null when it leaves the path unconstrained.</summary>
    private static List<ValueInterval>? FieldIntervals(List<(string Path, BsonValue Condition)> conjunction, string path, bool multikey)
    {
        List<ValueInterval>? result = null;
        foreach (var (p, condition) in conjunction)
        {
            if (p != path)
            {
                continue;
            }
            foreach (var each in ConditionIntervals(condition))
            {
                if (result is null)
                {
                    result = each;
                }
                else if (!multikey)
                {
                    // On a multikey path two conditions may be met by different elements: intersecting would lose matches.
                    result = ValueInterval.Intersect(result, each);
                }
            }
        }
        return result;
    }

    private static IEnumerable<List<ValueInterval>> ConditionIntervals(BsonValue condition)
    {
        if (condition is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
        {
            foreach (var op in ops)
            {
                if (ValueInterval.For(op.Name, op.Value) is { } intervals)
                {
                    yield return intervals;
                }
            }
        }
        else if (ValueInterval.Equality(condition) is { } point)
        {
            yield return point;
        }
    }

    /// <summary>Combines per-field intervals: equality prefixes, then one field's ranges; later fields are left to the filter.</summary>
    private static List<KeyInterval> Compound(KeyOrder order, List<ValueInterval>?[] fields)
    {
        List<BsonValue[]> prefixes = [[]];
        for (var i = 0; i < fields.Length; i++)
        {
            var values = fields[i];
            if (values is null)
            {
                break;
            }
            if (values.Count == 0)
            {
                return [];
            }
            if (prefixes.Count * values.Count > MaxIntervals)
            {
                break;
            }
            if (values.TrueForAll(v => v.IsPoint))
            {
                prefixes = [.. prefixes.SelectMany(p => values.Select(v => (BsonValue[])[.. p, v.Low]))];
                continue;
            }
            var descending = order.IsDescending(i);
            return [.. prefixes.SelectMany(p => values.Select(v => descending
                ? new KeyInterval(new KeyBound([.. p, v.High], !v.HighInclusive), new KeyBound([.. p, v.Low], v.LowInclusive))
                : new KeyInterval(new KeyBound([.. p, v.Low], !v.LowInclusive), new KeyBound([.. p, v.High], v.HighInclusive))))];
        }
        return [.. prefixes.Select(p => new KeyInterval(new KeyBound(p, After: false), new KeyBound(p, After: true)))];
    }

    /// <summary><c>{field: ["[1, 5)", …]}</c>, as explain shows index bounds.</summary>
    public BsonDocument ToExplain(IndexKeyPattern pattern)
    {
        var document = new BsonDocument();
        for (var i = 0; i < pattern.Fields.Count; i++)
        {
            var values = PerField[i] ?? [ValueInterval.Everything];
            var ordered = values.OrderBy(v => v.Low, Bson.BsonOrder.Instance).ToList();
            if (pattern.Fields[i].Descending)
            {
                ordered.Reverse();
            }
            document.Add(pattern.Fields[i].Path.Dotted, new BsonArray(ordered.Select(v => v.ToString())));
        }
        return document;
    }
}
