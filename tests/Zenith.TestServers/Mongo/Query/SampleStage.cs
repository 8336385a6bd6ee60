using System.Security.Cryptography;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// <c>$sample: {size: N}</c>: N documents chosen uniformly at random, none twice, in random order.
/// As the first stage it picks records directly (mongod uses a random cursor there) and reads only
/// those; later in a pipeline it samples what the previous stages produced.
/// </summary>
internal static class SampleStage
{
    public static long Size(BsonValue spec)
    {
        if (spec is not BsonDocument d)
        {
            throw new CommandException(28745, "Location28745", "the $sample stage specification must be an object");
        }
        foreach (var element in d)
        {
            if (element.Name != "size")
            {
                throw new CommandException(28748, "Location28748", $"unrecognized option to $sample: {element.Name}");
            }
        }
        if (!d.TryGetValue("size", out var size))
        {
            throw new CommandException(28749, "Location28749", "$sample stage must specify a size");
        }
        if (!size.IsNumeric)
        {
            throw new CommandException(28746, "Location28746", "size argument to $sample must be a number");
        }
        var n = size.ToInt64();
        return n >= 0 ? n : throw new CommandException(28747, "Location28747", "size argument to $sample must not be negative");
    }

    /// <summary>N distinct records of the collection, read in one pass; the caller holds the collection lock.</summary>
    public static List<StoredDocument> FromCollection(CollectionStore collection, long size)
    {
        var count = collection.Count;
        var wanted = (int)Math.Min(size, count);
        // Floyd's algorithm: `wanted` distinct positions without materializing all of them.
        var positions = new HashSet<int>();
        for (var j = count - wanted; j < count; j++)
        {
            var t = RandomNumberGenerator.GetInt32(j + 1);
            positions.Add(positions.Contains(t) ? j : t);
        }
        var sorted = positions.Order().ToArray();
        var picked = new List<StoredDocument>(wanted);
        var records = collection.Records;
        var p = OrderedChunks<Record>.Start;
        var at = 0;
        foreach (var position in sorted)
        {
            p = records.Advance(p, position - at, backward: false);
            at = position;
            picked.Add(records[p].Document);
        }
        Shuffle(picked);
        return picked;
    }

    /// <summary>N distinct documents of a pipeline's intermediate result (a reservoir sample), shuffled.</summary>
    public static List<BsonDocument> FromStream(IEnumerable<BsonDocument> input, long size)
    {
        var reservoir = new List<BsonDocument>();
        long seen = 0;
        foreach (var document in input)
        {
            seen++;
            if (reservoir.Count < size)
            {
                reservoir.Add(document);
                continue;
            }
            var j = RandomNumberGenerator.GetInt32((int)Math.Min(seen, int.MaxValue));
            if (j < size)
            {
                reservoir[j] = document;
            }
        }
        Shuffle(reservoir);
        return reservoir;
    }

    private static void Shuffle<T>(List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = RandomNumberGenerator.GetInt32(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
