using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A point between index keys: just before (<see cref="After"/> false) or just after every key that
/// starts with <see cref="Prefix"/>. An empty prefix is the start or the end of the whole index.
/// Keys never equal a bound, so a seek is "the first key after the bound".
/// </summary>
internal readonly record struct KeyBound(BsonValue[] Prefix, bool After)
{
    public static readonly KeyBound Start = new([], After: false);

    public static readonly KeyBound End = new([], After: true);

    /// <summary>Negative when <paramref name="key"/> comes before the bound in index order, positive after.</summary>
    public int CompareKey(KeyOrder order, BsonValue[] key)
    {
        for (var i = 0; i < Prefix.Length; i++)
        {
            var c = order.CompareField(i, key[i], Prefix[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return After ? -1 : 1;
    }

    /// <summary>Orders two bounds in index order.</summary>
    public static int Compare(KeyOrder order, KeyBound a, KeyBound b)
    {
        var n = Math.Min(a.Prefix.Length, b.Prefix.Length);
        for (var i = 0; i < n; i++)
        {
            var c = order.CompareField(i, a.Prefix[i], b.Prefix[i]);
            if (c != 0)
            {
                return c;
            }
        }
        if (a.Prefix.Length == b.Prefix.Length)
        {
            return a.After.CompareTo(b.After);
        }
        // The shorter prefix's bound encloses every key the longer one can touch.
        return a.Prefix.Length < b.Prefix.Length ? (a.After ? 1 : -1) : (b.After ? -1 : 1);
    }
}

/// <summary>A range of an index in index order, from <see cref="Start"/> to <see cref="End"/>.</summary>
internal sealed record KeyInterval(KeyBound Start, KeyBound End)
{
    public static readonly KeyInterval All = new(KeyBound.Start, KeyBound.End);

    public bool IsAll => Start.Prefix.Length == 0 && !Start.After && End.Prefix.Length == 0 && End.After;

    /// <summary>Sorts intervals by start and merges the ones that overlap, so a scan visits each key once.</summary>
    public static List<KeyInterval> Union(KeyOrder order, IEnumerable<KeyInterval> intervals)
    {
        var sorted = intervals.Where(i => KeyBound.Compare(order, i.Start, i.End) < 0).ToList();
        sorted.Sort((a, b) => KeyBound.Compare(order, a.Start, b.Start));
        var merged = new List<KeyInterval>();
        foreach (var interval in sorted)
        {
            if (merged.Count > 0 && KeyBound.Compare(order, interval.Start, merged[^1].End) <= 0)
            {
                var last = merged[^1];
                if (KeyBound.Compare(order, interval.End, last.End) > 0)
                {
                    merged[^1] = last with { End = interval.End };
                }
                continue;
            }
            merged.Add(interval);
        }
        return merged;
    }
}
