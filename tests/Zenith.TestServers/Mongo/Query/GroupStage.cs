using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// <c>$group</c> with the accumulators <c>$sum $avg $min $max $first $last $push $addToSet $count</c>,
/// typed as mongod types them ($sum of ints is an int until it overflows to a long, then a double;
/// any decimal makes a decimal). Other accumulators answer NotImplemented.
/// </summary>
internal static class GroupStage
{
    private static readonly HashSet<string> KnownUnsupported =
    [
        "$accumulator", "$bottom", "$bottomN", "$firstN", "$lastN", "$maxN", "$minN", "$mergeObjects", "$median",
        "$percentile", "$stdDevPop", "$stdDevSamp", "$top", "$topN",
    ];

    public static IEnumerable<BsonDocument> Apply(IEnumerable<BsonDocument> input, BsonDocument spec)
    {
        if (!spec.TryGetValue("_id", out var idExpression))
        {
            throw new CommandException(15955, "Location15955", "a group specification must include an _id");
        }
        var accumulators = spec.Elements.Where(e => e.Name != "_id").Select(Accumulator).ToList();
        var groups = new Dictionary<BsonValue, List<BsonDocument>>(new ValueEquality());
        var order = new List<BsonValue>();
        foreach (var document in input)
        {
            var key = Expressions.Evaluate(idExpression, document) ?? BsonNull.Value;
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(document);
        }
        foreach (var key in order)
        {
            var members = groups[key];
            var result = new BsonDocument("_id", key);
            foreach (var (field, op, argument) in accumulators)
            {
                var values = members.Select(m => Expressions.Evaluate(argument, m)).ToList();
                result[field] = Accumulate(op, values);
            }
            yield return result;
        }
    }

    private static (string Field, string Op, BsonValue Argument) Accumulator(BsonElement e)
    {
        if (e.Value is not BsonDocument acc || acc.ElementCount != 1)
        {
            throw new CommandException(40234, "Location40234", $"The field '{e.Name}' must be an accumulator object");
        }
        var op = acc.GetElement(0).Name;
        if (KnownUnsupported.Contains(op))
        {
            throw CommandException.NotImplemented($"accumulator {op} is not supported by this test server");
        }
        if (op is not ("$sum" or "$avg" or "$min" or "$max" or "$first" or "$last" or "$push" or "$addToSet" or "$count"))
        {
            throw new CommandException(15952, "Location15952", $"unknown group operator '{op}'");
        }
        return (e.Name, op, acc[0]);
    }

    private static BsonValue Accumulate(string op, List<BsonValue?> values) => op switch
    {
        "$sum" => Sum(values),
        "$count" => new BsonInt32(values.Count),
        "$avg" => Average(values),
        "$min" => Present(values).Order(BsonOrder.Instance).FirstOrDefault() ?? BsonNull.Value,
        "$max" => Present(values).Order(BsonOrder.Instance).LastOrDefault() ?? BsonNull.Value,
        "$first" => values.FirstOrDefault() ?? BsonNull.Value,
        "$last" => values.LastOrDefault() ?? BsonNull.Value,
        "$push" => new BsonArray(values.OfType<BsonValue>()),
        _ => new BsonArray(values.OfType<BsonValue>().Distinct(new ValueEquality())),
    };

    // $min and $max leave out missing, null and undefined values.
    private static IEnumerable<BsonValue> Present(List<BsonValue?> values) =>
        values.OfType<BsonValue>().Where(v => v is not (BsonNull or BsonUndefined));

    public static BsonValue Sum(IEnumerable<BsonValue?> values)
    {
        var state = new NumericSum();
        foreach (var v in values)
        {
            state.Add(v);
        }
        return state.Result();
    }

    private static BsonValue Average(List<BsonValue?> values)
    {
        var numbers = values.Where(v => v is not null && v.IsNumeric).ToList();
        if (numbers.Count == 0)
        {
            return BsonNull.Value;
        }
        if (numbers.Exists(v => v!.BsonType == BsonType.Decimal128))
        {
            var total = numbers.Aggregate(0m, (acc, v) => acc + v!.ToDecimal());
            return new BsonDecimal128(total / numbers.Count);
        }
        return new BsonDouble(numbers.Sum(v => v!.ToDouble()) / numbers.Count);
    }

    /// <summary>$sum's running total: int, then long on overflow, then double; a decimal anywhere makes the result decimal.</summary>
    private sealed class NumericSum
    {
        private long _integral;
        private double _real;
        private decimal _decimal;
        private BsonType _type = BsonType.Int32;

        public void Add(BsonValue? v)
        {
            switch (v?.BsonType)
            {
                case BsonType.Int32:
                case BsonType.Int64:
                    AddIntegral(v.ToInt64(), v.BsonType == BsonType.Int64);
                    break;
                case BsonType.Double:
                    _real += v.AsDouble;
                    if (_type is BsonType.Int32 or BsonType.Int64)
                    {
                        _type = BsonType.Double;
                    }
                    break;
                case BsonType.Decimal128:
                    _decimal += v.ToDecimal();
                    _type = BsonType.Decimal128;
                    break;
            }
        }

        private void AddIntegral(long n, bool isLong)
        {
            if (_type is BsonType.Int32 or BsonType.Int64)
            {
                try
                {
                    _integral = checked(_integral + n);
                    if (isLong || _integral is > int.MaxValue or < int.MinValue)
                    {
                        _type = BsonType.Int64;
                    }
                    return;
                }
                catch (OverflowException)
                {
                    _type = BsonType.Double;
                }
            }
            _real += n;
        }

        public BsonValue Result() => _type switch
        {
            BsonType.Int32 => new BsonInt32((int)_integral),
            BsonType.Int64 => new BsonInt64(_integral),
            BsonType.Double => new BsonDouble(_real + _integral),
            _ => new BsonDecimal128(_decimal + (decimal)_real + _integral),
        };
    }

    /// <summary>Equality as MongoDB compares values (1, 1L and 1.0 are one group).</summary>
    internal sealed class ValueEquality : IEqualityComparer<BsonValue>
    {
        public bool Equals(BsonValue? x, BsonValue? y) => BsonOrder.AreEqual(x ?? BsonNull.Value, y ?? BsonNull.Value);

        // Equal values of different number types must collide: numbers hash by their double value, and
        // documents and arrays (which may hold numbers) only by their size.
        public int GetHashCode(BsonValue obj) => obj switch
        {
            _ when obj.IsNumeric => obj.ToDouble().GetHashCode(),
            BsonDocument d => d.ElementCount,
            BsonArray a => a.Count + 7919,
            BsonNull => 0,
            _ => obj.GetHashCode(),
        };
    }
}
