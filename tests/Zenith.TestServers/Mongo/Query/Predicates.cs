using System.Text.RegularExpressions;
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
internal abstract class Predicate
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

    private sealed class All : Predicate
    {
        private readonly List<Predicate> _required;

        private All(List<Predicate> required) => _required = required;

        public static Predicate Of(BsonArray values) => new All([.. values.Select(v => v switch
        {
            BsonDocument { ElementCount: 1 } d when d.GetElement(0).Name == "$elemMatch" => new ElemMatch(d[0].AsBsonDocument),
            BsonRegularExpression r => (Predicate)new RegexMatch(r),
            _ => new Equal(v),
        })]);

        // An empty $all matches nothing.
        public override bool Test(List<BsonValue> leaves) => _required.Count > 0 && _required.TrueForAll(p => p.Test(leaves));
    }

    /// <summary><c>$type</c> by alias or number (or a list of them); "number" is every numeric type; arrays match "array".</summary>
    private sealed class TypeIs : Predicate
    {
        private static readonly Dictionary<string, int> Aliases = new(StringComparer.Ordinal)
        {
            ["double"] = 1, ["string"] = 2, ["object"] = 3, ["array"] = 4, ["binData"] = 5, ["undefined"] = 6,
            ["objectId"] = 7, ["bool"] = 8, ["date"] = 9, ["null"] = 10, ["regex"] = 11, ["dbPointer"] = 12,
            ["javascript"] = 13, ["symbol"] = 14, ["javascriptWithScope"] = 15, ["int"] = 16, ["timestamp"] = 17,
            ["long"] = 18, ["decimal"] = 19, ["minKey"] = -1, ["maxKey"] = 127,
        };

        private readonly HashSet<int> _codes = [];
        private readonly bool _number;

        public TypeIs(BsonValue spec)
        {
            foreach (var item in spec is BsonArray list ? (IEnumerable<BsonValue>)list : [spec])
            {
                switch (item)
                {
                    case BsonString { Value: "number" }:
                        _number = true;
                        break;
                    case BsonString alias:
                        _codes.Add(Aliases.TryGetValue(alias.Value, out var code) ? code : throw CommandException.BadValue($"Unknown type name alias: {alias.Value}"));
                        break;
                    case { IsNumeric: true }:
                        var n = item.ToInt32();
                        _codes.Add(n is -1 or 127 or (>= 1 and <= 19) ? n : throw CommandException.BadValue($"Invalid numerical type code: {item}"));
                        break;
                    default:
                        throw CommandException.TypeMismatch("type must be represented as a number or a string");
                }
            }
        }

        public override bool Test(List<BsonValue> leaves) =>
            Expanded(leaves).Any(v => (_number && v.IsNumeric) || _codes.Contains(Code(v.BsonType)));

        private static int Code(BsonType type) => type switch
        {
            BsonType.MinKey => -1,
            BsonType.MaxKey => 127,
            _ => (int)type,
        };
    }

    private sealed class Exists(bool expected) : Predicate
    {
        public override bool Test(List<BsonValue> leaves) => leaves.Count > 0 == expected;
    }

    private sealed class Size : Predicate
    {
        private readonly long _expected;

        public Size(BsonValue v)
        {
            if (!v.IsNumeric)
            {
                throw CommandException.BadValue("$size needs a number");
            }
            var d = v.ToDouble();
            _expected = d == Math.Floor(d) ? (long)d : throw CommandException.BadValue($"Failed to parse $size. Expected an integer, but found {v}");
        }

        public override bool Test(List<BsonValue> leaves) => leaves.Exists(v => v is BsonArray a && a.Count == _expected);
    }

    private sealed class Mod : Predicate
    {
        private readonly long _divisor;
        private readonly long _remainder;

        public Mod(BsonValue v)
        {
            if (v is not BsonArray a)
            {
                throw CommandException.BadValue("malformed mod, needs to be an array");
            }
            if (a.Count < 2)
            {
                throw CommandException.BadValue("malformed mod, not enough elements");
            }
            if (a.Count > 2)
            {
                throw CommandException.BadValue("malformed mod, too many elements");
            }
            if (!a[0].IsNumeric || !a[1].IsNumeric)
            {
                throw CommandException.BadValue("malformed mod, divisor and remainder must be numbers");
            }
            (_divisor, _remainder) = ((long)Math.Truncate(a[0].ToDouble()), (long)Math.Truncate(a[1].ToDouble()));
            if (_divisor == 0)
            {
                throw CommandException.BadValue("divisor cannot be 0");
            }
        }

        public override bool Test(List<BsonValue> leaves) => Expanded(leaves).Any(v => v.IsNumeric && Dividend(v) is { } n && n % _divisor == _remainder);

        private static long? Dividend(BsonValue v)
        {
            var d = v.BsonType switch
            {
                BsonType.Double => v.AsDouble,
                BsonType.Decimal128 => Decimal128.IsNaN(v.AsDecimal128) || Decimal128.IsInfinity(v.AsDecimal128) ? double.NaN : (double)Math.Truncate(v.ToDecimal()),
                _ => (double?)null,
            };
            if (d is null)
            {
                return v.ToInt64();
            }
            return double.IsFinite(d.Value) && Math.Abs(d.Value) < 9.2e18 ? (long)Math.Truncate(d.Value) : null;
        }
    }

    private sealed class RegexMatch(BsonRegularExpression pattern) : Predicate
    {
        private readonly Regex _regex = pattern.ToRegex();

        public override bool Test(List<BsonValue> leaves) =>
            Expanded(leaves).Any(v => (v is BsonString s && _regex.IsMatch(s.Value)) || (v is BsonSymbol sym && _regex.IsMatch(sym.Name)) ||
                (v is BsonRegularExpression r && r.Pattern == pattern.Pattern && r.Options == pattern.Options));
    }

    private sealed class ElemMatch(BsonDocument spec) : Predicate
    {
        private readonly Predicate? _valuePredicate = IsOperatorSpec(spec) ? CompileOperators(spec) : null;

        private readonly Filter? _documentFilter = IsOperatorSpec(spec) ? null : Filter.Compile(spec);

        private static bool IsOperatorSpec(BsonDocument spec) =>
            spec.ElementCount > 0 && spec.GetElement(0).Name.StartsWith('$') && spec.GetElement(0).Name is not ("$and" or "$or" or "$nor" or "$expr" or "$where");

        public override bool Test(List<BsonValue> leaves)
        {
            foreach (var leaf in leaves)
            {
                if (leaf is not BsonArray array)
                {
                    continue;
                }
                foreach (var element in array)
                {
                    if (_valuePredicate is not null ? _valuePredicate.Test([element])
                        : element is BsonDocument d && (_documentFilter?.Matches(new DocumentFieldSource(d)) ?? true))
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
