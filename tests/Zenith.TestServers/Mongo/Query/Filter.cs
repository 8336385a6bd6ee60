using System.Text.RegularExpressions;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>A compiled query filter: <c>$eq $ne $gt $gte $lt $lte $in $nin $exists $regex $not $size $elemMatch $and $or $nor</c> and implicit equality.</summary>
internal abstract class Filter
{
    public abstract bool Matches<TSource>(TSource source)
        where TSource : IFieldSource;

    /// <summary>Compiles a filter document; null or empty means "match everything" and yields null.</summary>
    public static Filter? Compile(BsonDocument? filter)
    {
        if (filter is null || filter.ElementCount == 0)
        {
            return null;
        }
        var parts = new List<Filter>();
        foreach (var element in filter)
        {
            switch (element.Name)
            {
                case "$and":
                    parts.Add(new AllOf(CompileList(element)));
                    break;
                case "$or":
                    parts.Add(new AnyOf(CompileList(element)));
                    break;
                case "$nor":
                    parts.Add(new NoneOf(CompileList(element)));
                    break;
                case "$comment":
                    break;
                default:
                    if (element.Name.StartsWith('$'))
                    {
                        throw CommandException.BadValue($"unknown top level operator: {element.Name}");
                    }
                    parts.Add(new FieldFilter(new FieldPath(element.Name), Predicate.CompileValue(element.Value)));
                    break;
            }
        }
        return parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => new AllOf(parts),
        };
    }

    private static List<Filter> CompileList(BsonElement element)
    {
        if (element.Value is not BsonArray array || array.Count == 0)
        {
            throw CommandException.BadValue($"{element.Name} must be a nonempty array");
        }
        return [.. array.Select(v => v is BsonDocument d
            ? Compile(d) ?? MatchAll.Instance
            : throw CommandException.BadValue($"{element.Name} argument's entries must be objects"))];
    }

    private sealed class MatchAll : Filter
    {
        public static readonly MatchAll Instance = new();

        public override bool Matches<TSource>(TSource source) => true;
    }

    private sealed class AllOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (!part.Matches(source))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private sealed class AnyOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (part.Matches(source))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class NoneOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (part.Matches(source))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private sealed class FieldFilter(FieldPath path, Predicate predicate) : Filter
    {
        [ThreadStatic]
        private static List<BsonValue>? t_scratch;

        public override bool Matches<TSource>(TSource source)
        {
            var values = t_scratch ?? [];
            t_scratch = null;
            try
            {
                values.Clear();
                path.Collect(source, values);
                return predicate.Test(values);
            }
            finally
            {
                values.Clear();
                t_scratch = values;
            }
        }
    }
}

/// <summary>A condition on the values one field path reaches (an empty list means the field is missing).</summary>
internal abstract class Predicate
{
    public abstract bool Test(List<BsonValue> values);

    /// <summary>The right-hand side of <c>{field: value}</c>: an operator document, a regex, or a literal for equality.</summary>
    public static Predicate CompileValue(BsonValue value)
    {
        if (value is BsonDocument doc && doc.ElementCount > 0 && doc.GetElement(0).Name.StartsWith('$'))
        {
            return CompileOperators(doc);
        }
        return value is BsonRegularExpression regex ? new RegexMatch(regex) : new Equal(value);
    }

    private static Predicate CompileOperators(BsonDocument operators)
    {
        var parts = new List<Predicate>();
        string? options = operators.TryGetValue("$options", out var o) ? o.AsString : null;
        foreach (var element in operators)
        {
            var v = element.Value;
            parts.Add(element.Name switch
            {
                "$eq" => new Equal(v),
                "$ne" => new Not(new Equal(v)),
                "$gt" => new Compare(v, c => c > 0),
                "$gte" => new Compare(v, c => c >= 0),
                "$lt" => new Compare(v, c => c < 0),
                "$lte" => new Compare(v, c => c <= 0),
                "$in" => new In(ArrayArgument(element)),
                "$nin" => new Not(new In(ArrayArgument(element))),
                "$exists" => new Exists(v.ToBoolean()),
                "$regex" => new RegexMatch(v is BsonRegularExpression r ? r : new BsonRegularExpression(v.AsString, options ?? "")),
                "$options" => True.Instance,
                "$not" => new Not(v is BsonDocument notDoc ? CompileOperators(notDoc) : CompileValue(v)),
                "$size" => new Size(v.ToInt32()),
                "$elemMatch" => new ElemMatch(v.AsBsonDocument),
                _ => throw CommandException.BadValue($"unknown operator: {element.Name}"),
            });
        }
        return parts.Count == 1 ? parts[0] : new All(parts);
    }

    private static BsonArray ArrayArgument(BsonElement element) =>
        element.Value as BsonArray ?? throw CommandException.BadValue($"{element.Name} needs an array");

    private sealed class True : Predicate
    {
        public static readonly True Instance = new();

        public override bool Test(List<BsonValue> values) => true;
    }

    private sealed class All(List<Predicate> parts) : Predicate
    {
        public override bool Test(List<BsonValue> values) => parts.TrueForAll(p => p.Test(values));
    }

    private sealed class Not(Predicate inner) : Predicate
    {
        public override bool Test(List<BsonValue> values) => !inner.Test(values);
    }

    private sealed class Equal(BsonValue operand) : Predicate
    {
        private readonly bool _isNull = operand.IsBsonNull;

        public override bool Test(List<BsonValue> values)
        {
            if (_isNull && values.Count == 0)
            {
                return true;
            }
            foreach (var v in values)
            {
                if (BsonOrder.AreEqual(v, operand) || (_isNull && v.IsBsonUndefined))
                {
                    return true;
                }
            }
            return false;
        }
    }

    // Comparisons are type-bracketed, as in MongoDB: {$gt: 5} never matches a string.
    private sealed class Compare(BsonValue operand, Func<int, bool> accept) : Predicate
    {
        private readonly int _rank = BsonOrder.Rank(operand.BsonType);

        public override bool Test(List<BsonValue> values)
        {
            if (values.Count == 0 && operand.IsBsonNull)
            {
                return accept(0);
            }
            foreach (var v in values)
            {
                if (BsonOrder.Rank(v.BsonType) == _rank && accept(BsonOrder.CompareValues(v, operand)))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class In(BsonArray operands) : Predicate
    {
        private readonly Predicate[] _alternatives =
            [.. operands.Select(o => o is BsonRegularExpression r ? (Predicate)new RegexMatch(r) : new Equal(o))];

        public override bool Test(List<BsonValue> values)
        {
            foreach (var alternative in _alternatives)
            {
                if (alternative.Test(values))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class Exists(bool expected) : Predicate
    {
        public override bool Test(List<BsonValue> values) => values.Count > 0 == expected;
    }

    private sealed class Size(int expected) : Predicate
    {
        public override bool Test(List<BsonValue> values) => values.Exists(v => v is BsonArray a && a.Count == expected);
    }

    private sealed class RegexMatch(BsonRegularExpression pattern) : Predicate
    {
        private readonly Regex _regex = pattern.ToRegex();

        public override bool Test(List<BsonValue> values) =>
            values.Exists(v => (v is BsonString s && _regex.IsMatch(s.Value)) ||
                (v is BsonRegularExpression r && r.Pattern == pattern.Pattern && r.Options == pattern.Options));
    }

    private sealed class ElemMatch(BsonDocument spec) : Predicate
    {
        private readonly bool _isOperatorSpec = spec.ElementCount > 0 && spec.GetElement(0).Name.StartsWith('$') &&
            spec.GetElement(0).Name is not ("$and" or "$or" or "$nor");

        private readonly Predicate? _valuePredicate = spec.ElementCount > 0 && spec.GetElement(0).Name.StartsWith('$') &&
            spec.GetElement(0).Name is not ("$and" or "$or" or "$nor") ? CompileOperators(spec) : null;

        private readonly Filter? _documentFilter = spec.ElementCount > 0 && spec.GetElement(0).Name.StartsWith('$') &&
            spec.GetElement(0).Name is not ("$and" or "$or" or "$nor") ? null : Filter.Compile(spec);

        public override bool Test(List<BsonValue> values)
        {
            foreach (var v in values)
            {
                if (v is not BsonArray array)
                {
                    continue;
                }
                foreach (var element in array)
                {
                    if (_isOperatorSpec)
                    {
                        if (_valuePredicate!.Test([element]))
                        {
                            return true;
                        }
                    }
                    else if (element is BsonDocument d && (_documentFilter?.Matches(new DocumentFieldSource(d)) ?? true))
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
