using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// The <c>updateDescription</c> of an update's change event, built as mongod logs the update: for
/// update operators, each modified path (or the top-most field the update created), the new array
/// indexes of a plain <c>$push</c>/<c>$addToSet</c>, removed paths for <c>$unset</c> and <c>$rename</c>;
/// for pipeline updates, a structural diff of the two documents (nested paths, array indexes, and
/// truncated arrays).
/// </summary>
internal static class UpdateDescription
{
    /// <summary>
    /// The description, with <c>disambiguatedPaths</c> (shown with showExpandedEvents): for each path with a
    /// numeric field name or array index, or a field name holding a dot, its components, indexes as ints.
    /// </summary>
    public static BsonDocument Create(BsonDocument updated, List<string> removed, BsonArray truncated, BsonDocument before, BsonDocument after)
    {
        var ambiguous = new BsonDocument();
        foreach (var (path, document) in updated.Names.Select(n => (n, after)).Concat(removed.Select(r => (r, before))))
        {
            if (Components(document, path.Split('.')) is { } components && components.Any(c => c.IsInt32 || c.AsString.Contains('.', StringComparison.Ordinal) || c.AsString.All(char.IsAsciiDigit)))
            {
                ambiguous[path] = components;
            }
        }
        return new BsonDocument
        {
            { "updatedFields", updated }, { "removedFields", new BsonArray(removed) }, { "truncatedArrays", truncated }, { "disambiguatedPaths", ambiguous },
        };
    }

    // The real components of a dotted path in a document: array indexes as ints, field names that contain dots kept whole.
    private static BsonArray? Components(BsonValue current, string[] segments)
    {
        var components = new BsonArray();
        for (var i = 0; i < segments.Length;)
        {
            switch (current)
            {
                case BsonArray array when int.TryParse(segments[i], out var index) && index >= 0:
                    components.Add(index);
                    current = index < array.Count ? array[index] : BsonNull.Value;
                    i++;
                    break;
                case BsonDocument doc:
                    {
                        var taken = 1;
                        while (!doc.Contains(string.Join('.', segments[i..(i + taken)])) && i + taken < segments.Length)
                        {
                            taken++;
                        }
                        var name = string.Join('.', segments[i..(i + taken)]);
                        if (!doc.TryGetValue(name, out var next))
                        {
                            (name, taken, next) = (segments[i], 1, BsonNull.Value);
                        }
                        components.Add(name);
                        current = next;
                        i += taken;
                        break;
                    }
                default:
                    components.AddRange(segments[i..]);
                    return components;
            }
        }
        return components;
    }

    /// <summary>For update operators: <paramref name="operations"/> are (operator, path, argument) in the order applied.</summary>
    public static BsonDocument ForOperators(BsonDocument before, BsonDocument after, IEnumerable<(string Op, string Path, BsonValue Argument)> operations)
    {
        var updated = new BsonDocument();
        var removed = new List<string>();
        foreach (var (op, path, argument) in operations)
        {
            if (op is "$unset" or "$rename")
            {
                if (UpdatePaths.Get(before, path.Split('.')) is not null)
                {
                    if (UpdatePaths.Get(after, path.Split('.')) is { } stillThere)
                    {
                        updated[path] = stillThere; // an array element is unset to null
                    }
                    else
                    {
                        removed.Add(path);
                    }
                }
                if (op == "$unset")
                {
                    continue;
                }
            }
            var target = op == "$rename" ? argument.AsString : path;
            LogSet(before, after, target, op is "$push" or "$addToSet" && IsPlainAppend(argument), updated);
        }
        return Create(updated, removed, [], before, after);
    }

    private static bool IsPlainAppend(BsonValue argument) =>
        argument is not BsonDocument d || !d.Names.Any(n => n is "$position" or "$sort" or "$slice");

    private static void LogSet(BsonDocument before, BsonDocument after, string target, bool append, BsonDocument updated)
    {
        var segments = target.Split('.');
        if (UpdatePaths.Get(after, segments) is not { } value)
        {
            return;
        }
        var old = UpdatePaths.Get(before, segments);
        if (old is not null && old.BsonType == value.BsonType && old.Equals(value))
        {
            return;
        }
        // A path the update created is logged at its top-most new field, with everything below it.
        for (var i = 1; i <= segments.Length; i++)
        {
            var prefix = segments[..i];
            if (UpdatePaths.Get(before, prefix) is null)
            {
                updated[string.Join('.', prefix)] = UpdatePaths.Get(after, prefix)!;
                return;
            }
        }
        if (append && old is BsonArray was && value is BsonArray now && now.Count > was.Count && was.Select((v, i) => v.Equals(now[i])).All(x => x))
        {
            for (var i = was.Count; i < now.Count; i++)
            {
                updated[target + "." + i] = now[i];
            }
            return;
        }
        updated[target] = value;
    }

    /// <summary>For pipeline updates: the difference between the documents, as mongod's document diff records it.</summary>
    public static BsonDocument ForDiff(BsonDocument before, BsonDocument after)
    {
        var updated = new BsonDocument();
        var removed = new List<string>();
        var truncated = new BsonArray();
        DiffDocuments(before, after, "", updated, removed, truncated);
        return Create(updated, removed, truncated, before, after);
    }

    private static void DiffDocuments(BsonDocument before, BsonDocument after, string prefix, BsonDocument updated, List<string> removed, BsonArray truncated)
    {
        foreach (var element in before)
        {
            if (!after.Contains(element.Name))
            {
                removed.Add(prefix + element.Name);
            }
        }
        foreach (var element in after)
        {
            var path = prefix + element.Name;
            if (!before.TryGetValue(element.Name, out var old))
            {
                updated[path] = element.Value;
            }
            else
            {
                DiffValues(old, element.Value, path, updated, removed, truncated);
            }
        }
    }

    private static void DiffValues(BsonValue old, BsonValue value, string path, BsonDocument updated, List<string> removed, BsonArray truncated)
    {
        if (old.BsonType == value.BsonType && old.Equals(value))
        {
            return;
        }
        switch (old, value)
        {
            case (BsonDocument a, BsonDocument b):
                DiffDocuments(a, b, path + ".", updated, removed, truncated);
                break;
            case (BsonArray a, BsonArray b):
                for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
                {
                    DiffValues(a[i], b[i], path + "." + i, updated, removed, truncated);
                }
                for (var i = a.Count; i < b.Count; i++)
                {
                    updated[path + "." + i] = b[i];
                }
                if (b.Count < a.Count)
                {
                    truncated.Add(new BsonDocument { { "field", path }, { "newSize", b.Count } });
                }
                break;
            default:
                updated[path] = value;
                break;
        }
    }

    /// <summary>About the size of the oplog diff (<c>$v: 2</c>) the description stands for: paths and new values.</summary>
    public static long DiffSize(BsonDocument description) =>
        16 + description["updatedFields"].AsBsonDocument.Sum(e => e.Name.Length + 2 + new BsonDocument("v", e.Value).ToBson().Length - 5)
        + description["removedFields"].AsBsonArray.Sum(r => r.AsString.Length + 3)
        + (description["truncatedArrays"].AsBsonArray.Count * 16);

    /// <summary>Whether a description says nothing changed (mongod then writes no oplog entry).</summary>
    public static bool IsEmpty(BsonDocument description) =>
        description["updatedFields"].AsBsonDocument.ElementCount == 0 && description["removedFields"].AsBsonArray.Count == 0 &&
        description["truncatedArrays"].AsBsonArray.Count == 0;
}
