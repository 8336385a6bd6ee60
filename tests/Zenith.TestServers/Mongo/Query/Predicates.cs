using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A condition on the values one field path reaches (the leaves; an empty list means the field is
/// missing): <c>$eq $ne $gt $gte $lt $lte $in $nin $exists $type $regex $not $size $all $mod
/// $elemMatch</c>. Most test each leaf and each element of a leaf array, as mongod does; <c>$size</c>
/// and <c>$elemMatch</c> look at arrays only.
/// </summary>
internal abstract partial class Predicate
{
    public abstract bool Test(List<BsonValue> leaves);

    /// <summary>The leaves and the elements of leaf arrays.</summary>
    protected static IEnumerable<BsonValue> Expanded(List<BsonValue> leaves)
    {
        foreach (var leaf in leaves)
        {
            yield return leaf;
            if (leaf is BsonArray array)
            {
                foreach (var element in array)
                {
                    yield return element;
                }
            }
        }
    }

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
        var options = operators.TryGetValue("$options", out var o) ? o.AsString : null;
        if (options is not null && !operators.Contains("$regex"))
        {
            throw CommandException.BadValue("$options needs a $regex");
        }
        foreach (var element in operators)
        {
            var v = element.Value;
            parts.Add(element.Name switch
            {
                "$eq" => new Equal(v),
                "$ne" => new Not(new Equal(v)),
                "$gt" or "$gte" or "$lt" or "$lte" => new Compare(element.Name, v),
                "$in" => new In(ArrayArgument(element)),
                "$nin" => new Not(new In(ArrayArgument(element))),
                "$exists" => new Exists(v.ToBoolean()),
                "$type" => new TypeIs(v),
                "$regex" => new RegexMatch(v is BsonRegularExpression r ? (options is null ? r : new BsonRegularExpression(r.Pattern, options)) : new BsonRegularExpression(v.AsString, options ?? "")),
                "$options" => True.Instance,
                "$not" => new Not(v switch
                {
                    BsonDocument notDoc when notDoc.ElementCount > 0 => CompileOperators(notDoc),
                    BsonRegularExpression regex => new RegexMatch(regex),
                    _ => throw CommandException.BadValue("$not needs a regex or a document"),
                }),
                "$size" => new Size(v),
                "$all" => All.Of(ArrayArgument(element)),
                "$mod" => new Mod(v),
                "$elemMatch" => new ElemMatch(v as BsonDocument ?? throw CommandException.BadValue("$elemMatch needs an Object")),
                "$comment" => True.Instance,
                "$geoWithin" or "$geoIntersects" or "$near" or "$nearSphere" or "$bitsAllSet" or "$bitsAllClear" or "$bitsAnySet" or "$bitsAnyClear" or "$jsonSchema" =>
                    throw CommandException.NotImplemented($"the {element.Name} query operator is not supported by this test server"),
                _ => throw CommandException.BadValue($"unknown operator: {element.Name}"),
            });
        }
        return parts.Count == 1 ? parts[0] : new AllOf(parts);
    }

    private static BsonArray ArrayArgument(BsonElement element) =>
        element.Value as BsonArray ?? throw CommandException.BadValue($"{element.Name} needs an array");

    private sealed class True : Predicate
    {
        public static readonly True Instance = new();

        public override bool Test(List<BsonValue> leaves) => true;
    }

    private sealed class AllOf(List<Predicate> parts) : Predicate
    {
        public override bool Test(List<BsonValue> leaves) => parts.TrueForAll(p => p.Test(leaves));
    }

    private sealed class Not(Predicate inner) : Predicate
    {
        public override bool Test(List<BsonValue> leaves) => !inner.Test(leaves);
    }

    private sealed class Equal(BsonValue operand) : Predicate
    {
        private readonly bool _isNull = operand.IsBsonNull;

        public override bool Test(List<BsonValue> leaves)
        {
            if (_isNull && leaves.Count == 0)
            {
                return true;
            }
            foreach (var v in Expanded(leaves))
            {
                if (BsonOrder.AreEqual(v, operand) || (_isNull && v.IsBsonUndefined))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// <c>$gt $gte $lt $lte</c> exactly as mongod's ComparisonMatchExpression: type-bracketed, except
    /// that null matches undefined and missing for the inclusive operators, a MinKey or MaxKey operand
    /// compares across every type, and NaN matches only NaN (with <c>$gte</c>/<c>$lte</c>).
    /// </summary>
    private sealed class Compare : Predicate
    {
        private readonly BsonValue _operand;
        private readonly string _op;
        private readonly int _rank;
        private readonly bool _operandIsNaN;

        public Compare(string op, BsonValue operand)
        {
            if (operand.IsBsonUndefined)
            {
                throw CommandException.BadValue("cannot compare to undefined");
            }
            (_op, _operand, _rank) = (op, operand, BsonOrder.Rank(operand.BsonType));
            _operandIsNaN = IsNaN(operand);
        }

        public override bool Test(List<BsonValue> leaves)
        {
            if (leaves.Count == 0)
            {
                // A missing field compares as mongod's EOO element, which ranks with undefined.
                return MatchesOne(BsonUndefined.Value);
            }
            foreach (var v in Expanded(leaves))
            {
                if (MatchesOne(v))
                {
                    return true;
                }
            }
            return false;
        }

        private bool MatchesOne(BsonValue v)
        {
            var rank = BsonOrder.Rank(v.BsonType);
            if (rank != _rank)
            {
                if (rank + _rank == BsonOrder.NullRank + BsonOrder.UndefinedRank)
                {
                    return _op is "$gte" or "$lte";
                }
                return _operand.BsonType switch
                {
                    BsonType.MaxKey => _op is "$lt" or "$lte",
                    BsonType.MinKey => _op is "$gt" or "$gte",
                    _ => false,
                };
            }
            if (_operandIsNaN || IsNaN(v))
            {
                return _operandIsNaN && IsNaN(v) && _op is "$gte" or "$lte";
            }
            var c = BsonOrder.CompareValues(v, _operand);
            return _op switch
            {
                "$gt" => c > 0,
                "$gte" => c >= 0,
                "$lt" => c < 0,
                _ => c <= 0,
            };
        }

        private static bool IsNaN(BsonValue v) =>
            (v is BsonDouble d && double.IsNaN(d.Value)) || (v is BsonDecimal128 m && Decimal128.IsNaN(m.Value));
    }

    private sealed class In(BsonArray operands) : Predicate
    {
        private readonly Predicate[] _alternatives = [.. operands.Select(o => o switch
        {
            BsonRegularExpression r => (Predicate)new RegexMatch(r),
            BsonDocument d when d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$') => throw CommandException.BadValue("cannot nest $ under $in"),
            _ => new Equal(o),
        })];

        public override bool Test(List<BsonValue> leaves) => Array.Exists(_alternatives, a => a.Test(leaves));
    }
}
