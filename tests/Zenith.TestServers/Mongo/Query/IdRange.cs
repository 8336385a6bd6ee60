using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// Bounds on <c>_id</c> that a filter implies (from <c>_id: v</c>, <c>$gt $gte $lt $lte $eq</c>, and
/// <c>$and</c>), so a scan seeks in the <c>_id</c> index. The filter is still applied to every
/// document scanned, so bounds only ever need to be implied, never exact.
/// </summary>
internal sealed record IdRange(BsonValue? Lower, bool LowerExclusive, BsonValue? Upper, bool UpperExclusive)
{
    public static readonly IdRange All = new(null, false, null, false);

    public static IdRange From(BsonDocument? filter)
    {
        var range = All;
        if (filter is null)
        {
            return range;
        }
        foreach (var element in filter)
        {
            if (element.Name == "_id")
            {
                range = range.Intersect(FromCondition(element.Value));
            }
            else if (element.Name == "$and" && element.Value is BsonArray parts)
            {
                foreach (var part in parts.OfType<BsonDocument>())
                {
                    range = range.Intersect(From(part));
                }
            }
        }
        return range;
    }

    private static IdRange FromCondition(BsonValue condition)
    {
        if (condition is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
        {
            var range = All;
            foreach (var op in ops)
            {
                range = op.Name switch
                {
                    "$eq" when op.Value is not BsonArray => range.Intersect(new(op.Value, false, op.Value, false)),
                    "$gt" => range.Intersect(new(op.Value, true, null, false)),
                    "$gte" => range.Intersect(new(op.Value, false, null, false)),
                    "$lt" => range.Intersect(new(null, false, op.Value, true)),
                    "$lte" => range.Intersect(new(null, false, op.Value, false)),
                    _ => range,
                };
            }
            return range;
        }
        return condition is BsonArray or BsonRegularExpression ? All : new(condition, false, condition, false);
    }

    private IdRange Intersect(IdRange other)
    {
        var (lower, lowerExclusive) = (Lower, LowerExclusive);
        if (other.Lower is not null)
        {
            var c = lower is null ? -1 : BsonOrder.CompareValues(lower, other.Lower);
            if (c < 0 || (c == 0 && other.LowerExclusive))
            {
                (lower, lowerExclusive) = (other.Lower, other.LowerExclusive);
            }
        }
        var (upper, upperExclusive) = (Upper, UpperExclusive);
        if (other.Upper is not null)
        {
            var c = upper is null ? 1 : BsonOrder.CompareValues(upper, other.Upper);
            if (c > 0 || (c == 0 && other.UpperExclusive))
            {
                (upper, upperExclusive) = (other.Upper, other.UpperExclusive);
            }
        }
        return new(lower, lowerExclusive, upper, upperExclusive);
    }
}
