using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A range of values of one field, in MongoDB's comparison order, that a predicate can match, as the
/// query planner derives index bounds: <c>{$gt: 5}</c> is (5, the end of numbers), type-bracketed
/// like the comparison itself; a MinKey or MaxKey operand spans every type.
/// </summary>
internal readonly record struct ValueInterval(BsonValue Low, bool LowInclusive, BsonValue High, bool HighInclusive)
{
    public static readonly ValueInterval Everything = new(BsonMinKey.Value, true, BsonMaxKey.Value, true);

    public bool IsPoint => LowInclusive && HighInclusive && BsonOrder.CompareValues(Low, High) == 0;

    public bool IsEmpty
    {
        get
        {
            var c = BsonOrder.CompareValues(Low, High);
            return c > 0 || (c == 0 && !(LowInclusive && HighInclusive));
        }
    }

    public static ValueInterval Point(BsonValue v) => new(v, true, v, true);

    /// <summary>The intervals a predicate operator allows, or null when it cannot bound an index scan.</summary>
    public static List<ValueInterval>? For(string op, BsonValue operand)
    {
        switch (op)
        {
            case "$eq":
                return Equality(operand);
            case "$in" when operand is BsonArray values:
                {
                    var all = new List<ValueInterval>();
                    foreach (var v in values)
                    {
                        if (Equality(v) is not { } each)
                        {
                            return null;
                        }
                        all.AddRange(each);
                    }
                    return all;
                }
            case "$gt":
            case "$gte":
            case "$lt":
            case "$lte":
                return Comparison(op, operand);
            case "$type":
                return TypeBounds(operand);
            default:
                return null;
        }
    }

    /// <summary>Equality with a literal: a point; null also matches undefined and missing (indexed as null).</summary>
    public static List<ValueInterval>? Equality(BsonValue v) => v switch
    {
        BsonArray or BsonRegularExpression => null,
        BsonNull => [Point(BsonUndefined.Value), Point(BsonNull.Value)],
        _ => [Point(v)],
    };

    private static List<ValueInterval>? Comparison(string op, BsonValue v)
    {
        var greater = op is "$gt" or "$gte";
        var inclusive = op is "$gte" or "$lte";
        switch (v.BsonType)
        {
            case BsonType.MinKey:
                return greater ? [new(v, inclusive, BsonMaxKey.Value, true)] : inclusive ? [Point(v)] : [];
            case BsonType.MaxKey:
                return greater ? (inclusive ? [Point(v)] : []) : [new(BsonMinKey.Value, true, v, inclusive)];
            case BsonType.Null:
                return inclusive ? [Point(BsonUndefined.Value), Point(BsonNull.Value)] : [];
            case BsonType.Array or BsonType.Undefined:
                return null;
            case BsonType.Double when double.IsNaN(v.AsDouble):
            case BsonType.Decimal128 when Decimal128.IsNaN(v.AsDecimal128):
                // NaN matches only NaN, and only with $gte/$lte.
                return inclusive ? [Point(v)] : [];
        }
        if (TypeRange(BsonOrder.Rank(v.BsonType)) is not { } range)
        {
            return null;
        }
        return greater ? [new(v, inclusive, range.High, range.HighInclusive)] : [new(range.Low, range.LowInclusive, v, inclusive)];
    }

    /// <summary>
    /// <c>$type</c> bounds as mongod's planner builds them: the whole bracket of each type named (inexact: "int" spans every
    /// number, the filter still tests each document), so an <c>$or</c> branch that selects whole types keeps the index usable.
    /// A list with "array" bounds nothing (an array is indexed by its elements); an unknown name is left to the predicate's error.
    /// </summary>
    private static List<ValueInterval>? TypeBounds(BsonValue operand)
    {
        var result = new List<ValueInterval>();
        foreach (var item in operand is BsonArray list ? (IEnumerable<BsonValue>)list : [operand])
        {
            var code = item switch
            {
                BsonString { Value: "number" } => 1,
                BsonString alias => TypeCodes.TryGetValue(alias.Value, out var c) ? c : (int?)null,
                { IsNumeric: true } => item.ToInt32(),
                _ => null,
            };
            switch (code)
            {
                case null or 4:
                    return null;
                case -1:
                    result.Add(Point(BsonMinKey.Value));
                    break;
                case 127:
                    result.Add(Point(BsonMaxKey.Value));
                    break;
                case 6 or 10:
                    result.AddRange([Point(BsonUndefined.Value), Point(BsonNull.Value)]);
                    break;
                case 13:
                    result.Add(new(new BsonJavaScript(string.Empty), true, new BsonJavaScriptWithScope(string.Empty, []), false));
                    break;
                case 15:
                    result.Add(new(new BsonJavaScriptWithScope(string.Empty, []), true, BsonMaxKey.Value, false));
                    break;
                case var known when TypeRange(BsonOrder.Rank(known == 12 ? BsonType.RegularExpression : (BsonType)known)) is { } range:
                    result.Add(range);
                    break;
                default:
                    return null;
            }
        }
        return result;
    }

    /// <summary>The <c>$type</c> aliases and the type codes they stand for (MinKey -1, MaxKey 127).</summary>
    public static readonly Dictionary<string, int> TypeCodes = new(StringComparer.Ordinal)
    {
        ["double"] = 1, ["string"] = 2, ["object"] = 3, ["array"] = 4, ["binData"] = 5, ["undefined"] = 6,
        ["objectId"] = 7, ["bool"] = 8, ["date"] = 9, ["null"] = 10, ["regex"] = 11, ["dbPointer"] = 12,
        ["javascript"] = 13, ["symbol"] = 14, ["javascriptWithScope"] = 15, ["int"] = 16, ["timestamp"] = 17,
        ["long"] = 18, ["decimal"] = 19, ["minKey"] = -1, ["maxKey"] = 127,
    };

    /// <summary>
    /// The whole of one type, for type-bracketed bounds, with the endpoints mongod's planner uses
    /// (numbers from -inf to inf, strings up to the empty object, dates over the whole int64 range…).
    /// </summary>
    private static ValueInterval? TypeRange(int rank) => rank switch
    {
        10 => new(new BsonDouble(double.NegativeInfinity), true, new BsonDouble(double.PositiveInfinity), true),
        15 => new(new BsonString(""), true, new BsonDocument(), false),
        20 => new(new BsonDocument(), true, new BsonArray(), false),
        30 => new(new BsonBinaryData([]), true, new BsonObjectId(ObjectId.Empty), false),
        35 => new(new BsonObjectId(ObjectId.Empty), true, new BsonObjectId(ObjectId.Parse("ffffffffffffffffffffffff")), true),
        40 => new(BsonBoolean.False, true, BsonBoolean.True, true),
        45 => new(new BsonDateTime(long.MinValue), true, new BsonDateTime(long.MaxValue), true),
        47 => new(new BsonTimestamp(0), true, new BsonTimestamp(-1), true),
        50 => new(new BsonRegularExpression("", ""), true, new BsonJavaScript(""), false),
        _ => null,
    };

    public static List<ValueInterval> Intersect(List<ValueInterval> a, List<ValueInterval> b)
    {
        var result = new List<ValueInterval>();
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                var (low, lowInclusive) = MaxLow(x, y);
                var (high, highInclusive) = MinHigh(x, y);
                var candidate = new ValueInterval(low, lowInclusive, high, highInclusive);
                if (!candidate.IsEmpty)
                {
                    result.Add(candidate);
                }
            }
        }
        return result;
    }

    private static (BsonValue, bool) MaxLow(ValueInterval x, ValueInterval y)
    {
        var c = BsonOrder.CompareValues(x.Low, y.Low);
        return c > 0 ? (x.Low, x.LowInclusive) : c < 0 ? (y.Low, y.LowInclusive) : (x.Low, x.LowInclusive && y.LowInclusive);
    }

    private static (BsonValue, bool) MinHigh(ValueInterval x, ValueInterval y)
    {
        var c = BsonOrder.CompareValues(x.High, y.High);
        return c < 0 ? (x.High, x.HighInclusive) : c > 0 ? (y.High, y.HighInclusive) : (x.High, x.HighInclusive && y.HighInclusive);
    }

    /// <summary>As mongod's explain writes a bound: <c>[5, inf.0]</c>, <c>("a", {})</c>.</summary>
    public override string ToString() =>
        (LowInclusive ? "[" : "(") + Format(Low) + ", " + Format(High) + (HighInclusive ? "]" : ")");

    private static string Format(BsonValue v) => v switch
    {
        BsonDouble d when double.IsPositiveInfinity(d.Value) => "inf.0",
        BsonDouble d when double.IsNegativeInfinity(d.Value) => "-inf.0",
        BsonDouble d when double.IsNaN(d.Value) => "nan.0",
        _ => ShellFormat.Value(v),
    };
}
