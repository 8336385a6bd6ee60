using System.Text.RegularExpressions;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>The predicates on types and arrays: <c>$all $type $exists $size $mod $regex $elemMatch</c>.</summary>
internal abstract partial class Predicate
{
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
        private static readonly Dictionary<string, int> Aliases = ValueInterval.TypeCodes;

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
