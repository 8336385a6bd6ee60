using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// Bounds on <c>_id</c> that a filter implies (from <c>_id: v</c>, <c>$gt $gte $lt $lte $eq</c>, and
/// <c>$and</c>), so a scan seeks in the <c>_id</c> index; and, from equality or <c>$in</c>, the
/// only ids that can match (<see cref="Points"/>), looked up one by one. The filter is still
/// applied to every document found, so bounds and points only ever need to be implied, never exact.
/// </summary>
internal sealed record IdRange(BsonValue? Lower, bool LowerExclusive, BsonValue? Upper, bool UpperExclusive)
{
    public static readonly IdRange All = new(null, false, null, false);

    /// <summary>When not null: every matching document has one of these ids (ascending, distinct).</summary>
    public IReadOnlyList<BsonValue>? Points { get; init; }

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
                    "$eq" when op.Value is not BsonArray => range.Intersect(Point(op.Value)),
                    "$in" when op.Value is BsonArray values => range.Intersect(AnyOf(values)),
                    "$gt" => range.Intersect(new(op.Value, true, null, false)),
                    "$gte" => range.Intersect(new(op.Value, false, null, false)),
                    "$lt" => range.Intersect(new(null, false, op.Value, true)),
                    "$lte" => range.Intersect(new(null, false, op.Value, false)),
                    _ => range,
                };
            }
            return range;
        }
        return condition is BsonArray or BsonRegularExpression ? All : Point(condition);
    }

    private static IdRange Point(BsonValue id) =>
        new(id, false, id, false) { Points = id.IsBsonNull ? null : [id] };

    // An _id is never an array, so array operands match nothing; a regex or null (which also
    // matches undefined) is left to the scan.
    private static IdRange AnyOf(BsonArray values)
    {
        if (values.Any(v => v is BsonRegularExpression || v.IsBsonNull))
        {
            return All;
        }
        var sorted = values.Where(v => v is not BsonArray).ToList();
        sorted.Sort(BsonOrder.Instance);
        List<BsonValue> points = [.. sorted.Where((v, i) => i == 0 || BsonOrder.CompareValues(sorted[i - 1], v) != 0)];
        return points.Count == 0 ? All with { Points = points } : new(points[0], false, points[^1], false) { Points = points };
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
        var points = Points;
        if (other.Points is not null)
        {
            points = points is null ? other.Points : [.. points.Where(p => other.Points.Any(q => BsonOrder.CompareValues(p, q) == 0))];
        }
        return new(lower, lowerExclusive, upper, upperExclusive) { Points = points };
    }
}
