using MongoDB.Bson;

namespace Zenith.Bench.DataSets;

/// <summary>One column of the table a user would write by hand for the baseline contestants.</summary>
internal sealed record UserColumn(string Name, string Type);

/// <summary>
/// The schema a user who knows the collection would write for the Node script (flattened with
/// <c>_</c> to three levels, deeper parts as JSON text) and for <c>mongodb()</c> (top-level fields;
/// subdocuments as JSON text). Built from every generated document, so it covers late fields and
/// type conflicts: conflicting types widen (Int32→Int64→Float64) or fall back to String.
/// </summary>
internal sealed class UserSchema(int maxDepth)
{
    private readonly Dictionary<string, string> types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> present = new(StringComparer.Ordinal);
    private readonly List<string> order = [];
    private long documents;

    public const string Separator = "_";

    public int MaxDepth { get; } = maxDepth;

    public void Observe(BsonDocument document)
    {
        documents++;
        Walk(document, prefix: "", depth: 1);
    }

    public IReadOnlyList<UserColumn> Columns() =>
        order.Select(name => new UserColumn(name, name == "_id" || types[name].StartsWith("Array(", StringComparison.Ordinal) || present[name] == documents
            ? types[name]
            : $"Nullable({types[name]})")).ToList();

    private void Walk(BsonDocument document, string prefix, int depth)
    {
        foreach (var element in document)
        {
            var name = prefix + element.Name;
            if (element.Value is BsonDocument child && depth < MaxDepth)
            {
                Walk(child, name + Separator, depth + 1);
                continue;
            }
            var type = TypeOf(element.Value);
            if (type is null)
            {
                Record(name, null);
                continue;
            }
            Record(name, type);
        }
    }

    private void Record(string name, string? type)
    {
        if (!types.TryGetValue(name, out var known))
        {
            order.Add(name);
            present[name] = 0;
            types[name] = type ?? "String";
            known = null;
        }
        if (type is null)
            return;
        present[name]++;
        if (known is not null && known != type)
            types[name] = Widen(known, type);
    }

    private static string Widen(string a, string b)
    {
        static int Rank(string t) => t switch { "Int32" => 1, "Int64" => 2, "Float64" => 3, _ => 0 };
        var (ra, rb) = (Rank(a), Rank(b));
        return ra > 0 && rb > 0 ? (ra > rb ? a : b) : "String";
    }

    private static string? TypeOf(BsonValue value) => value.BsonType switch
    {
        BsonType.Null => null,
        BsonType.ObjectId or BsonType.String => "String",
        BsonType.Int32 => "Int32",
        BsonType.Int64 => "Int64",
        BsonType.Double => "Float64",
        BsonType.Boolean => "Bool",
        BsonType.DateTime => "DateTime64(3, 'UTC')",
        BsonType.Array => ArrayType(value.AsBsonArray),
        _ => "String",
    };

    private static string ArrayType(BsonArray array)
    {
        var element = array.Select(TypeOf).Distinct().ToList();
        return element.Count == 1 && element[0] is { } t && !t.StartsWith("Array(", StringComparison.Ordinal) && t != "Bool"
            ? $"Array({t})"
            : "String";
    }
}
