using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>Reading, setting and removing a dotted path in a document being updated (numeric segments index arrays).</summary>
internal static class UpdatePaths
{
    public static BsonValue? Get(BsonDocument doc, string[] path)
    {
        BsonValue current = doc;
        foreach (var segment in path)
        {
            switch (current)
            {
                case BsonDocument d when d.TryGetValue(segment, out var next):
                    current = next;
                    break;
                case BsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count:
                    current = a[i];
                    break;
                default:
                    return null;
            }
        }
        return current;
    }

    public static void Set(BsonDocument doc, string[] path, BsonValue value)
    {
        BsonValue container = doc;
        for (var i = 0; i < path.Length; i++)
        {
            var segment = path[i];
            var last = i == path.Length - 1;
            switch (container)
            {
                case BsonDocument d:
                    if (last)
                    {
                        d[segment] = value;
                        return;
                    }
                    if (!d.TryGetValue(segment, out var next))
                    {
                        next = new BsonDocument();
                        d[segment] = next;
                    }
                    container = next;
                    break;
                case BsonArray a when int.TryParse(segment, out var index) && index >= 0:
                    while (a.Count <= index)
                    {
                        a.Add(BsonNull.Value);
                    }
                    if (last)
                    {
                        a[index] = value;
                        return;
                    }
                    if (a[index] is not (BsonDocument or BsonArray))
                    {
                        a[index] = new BsonDocument();
                    }
                    container = a[index];
                    break;
                default:
                    throw new CommandException(28, "PathNotViable", $"Cannot create field '{segment}' in element {{{path[Math.Max(0, i - 1)]}: {container}}}");
            }
        }
    }

    public static void Unset(BsonDocument doc, string[] path)
    {
        BsonValue? container = doc;
        for (var i = 0; i < path.Length - 1 && container is not null; i++)
        {
            container = container switch
            {
                BsonDocument d => d.TryGetValue(path[i], out var next) ? next : null,
                BsonArray a when int.TryParse(path[i], out var index) && index >= 0 && index < a.Count => a[index],
                _ => null,
            };
        }
        switch (container)
        {
            case BsonDocument d:
                d.Remove(path[^1]);
                break;
            case BsonArray a when int.TryParse(path[^1], out var index) && index >= 0 && index < a.Count:
                a[index] = BsonNull.Value;
                break;
        }
    }
}
