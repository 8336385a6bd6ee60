using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// The aggregation expressions this server evaluates: field paths (<c>"$a.b"</c>, through arrays as
/// MongoDB does), <c>$$ROOT</c>/<c>$$CURRENT</c>, <c>$literal</c>, documents and arrays of expressions,
/// and constants. Any expression operator answers NotImplemented rather than a guess.
/// </summary>
internal static class Expressions
{
    /// <summary>The value of <paramref name="expression"/> for <paramref name="document"/>; null when it is missing.</summary>
    public static BsonValue? Evaluate(BsonValue expression, BsonDocument document)
    {
        switch (expression)
        {
            case BsonString s when s.Value.StartsWith("$$", StringComparison.Ordinal):
                return Variable(s.Value, document);
            case BsonString s when s.Value.StartsWith('$'):
                return FieldPath(document, s.Value[1..]);
            case BsonDocument d when d.ElementCount == 1 && d.GetElement(0).Name == "$literal":
                return d[0];
            case BsonDocument d when d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$'):
                throw CommandException.NotImplemented($"expression operator {d.GetElement(0).Name} is not supported by this test server");
            case BsonDocument d:
                {
                    var result = new BsonDocument();
                    foreach (var e in d)
                    {
                        if (Evaluate(e.Value, document) is { } value)
                        {
                            result[e.Name] = value;
                        }
                    }
                    return result;
                }
            case BsonArray a:
                return new BsonArray(a.Select(e => Evaluate(e, document) ?? BsonNull.Value));
            default:
                return expression;
        }
    }

    private static BsonValue? Variable(string name, BsonDocument document)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var variable = dot < 0 ? name[2..] : name[2..dot];
        if (variable is not ("ROOT" or "CURRENT"))
        {
            throw CommandException.NotImplemented($"variable $${variable} is not supported by this test server");
        }
        return dot < 0 ? document : FieldPath(document, name[(dot + 1)..]);
    }

    /// <summary>A dotted path: through an array it gives the array of each element's value (missing ones left out).</summary>
    public static BsonValue? FieldPath(BsonValue root, string path) => Resolve(root, path.Split('.'), 0);

    private static BsonValue? Resolve(BsonValue value, string[] segments, int index)
    {
        if (index == segments.Length)
        {
            return value;
        }
        switch (value)
        {
            case BsonDocument d:
                return d.TryGetValue(segments[index], out var next) ? Resolve(next, segments, index + 1) : null;
            case BsonArray a:
                {
                    var result = new BsonArray();
                    foreach (var element in a)
                    {
                        if (element is BsonDocument or BsonArray && Resolve(element, segments, index) is { } found)
                        {
                            result.Add(found);
                        }
                    }
                    return result;
                }
            default:
                return null;
        }
    }

    /// <summary>A dotted path followed through documents only (missing when an array is on the way).</summary>
    public static BsonValue? DocumentPath(BsonDocument root, string path)
    {
        BsonValue current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current is not BsonDocument d || !d.TryGetValue(segment, out current!))
            {
                return null;
            }
        }
        return current;
    }

    /// <summary>Sets a dotted path, creating documents on the way (and setting it in every element of an array on the way).</summary>
    public static void SetPath(BsonDocument document, string path, BsonValue value) => Set(document, path.Split('.'), 0, value);

    private static void Set(BsonDocument document, string[] segments, int index, BsonValue value)
    {
        var name = segments[index];
        if (index == segments.Length - 1)
        {
            document[name] = value;
            return;
        }
        if (!document.TryGetValue(name, out var child) || child is not (BsonDocument or BsonArray))
        {
            child = new BsonDocument();
            document[name] = child;
        }
        if (child is BsonArray array)
        {
            foreach (var element in array.OfType<BsonDocument>())
            {
                Set(element, segments, index + 1, value);
            }
            return;
        }
        Set(child.AsBsonDocument, segments, index + 1, value);
    }
}
