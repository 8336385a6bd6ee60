using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>A sort specification such as <c>{updated_at: 1, _id: 1}</c>.</summary>
internal sealed class SortSpec
{
    private SortSpec(List<(FieldPath Path, bool Descending)> keys) => Keys = keys;

    public IReadOnlyList<(FieldPath Path, bool Descending)> Keys { get; }

    /// <summary>True for <c>{_id: ±1}</c>, which the <c>_id</c> index answers without sorting.</summary>
    public bool IsIdOnly => Keys.Count == 1 && Keys[0].Path.Dotted == "_id";

    public static SortSpec? Parse(BsonDocument? sort)
    {
        if (sort is null || sort.ElementCount == 0)
        {
            return null;
        }
        var keys = new List<(FieldPath, bool)>();
        foreach (var element in sort)
        {
            if (element.Value is BsonDocument meta && meta.Contains("$meta"))
            {
                throw CommandException.NotImplemented($"sorting by {{$meta: {meta["$meta"]}}} is not supported by this test server");
            }
            var direction = element.Value.IsNumeric ? element.Value.ToDouble() : 0;
            if (direction is not (1 or -1))
            {
                throw new CommandException(15975, "Location15975", "$sort key ordering must be 1 (for ascending) or -1 (for descending)");
            }
            keys.Add((new FieldPath(element.Name), direction < 0));
        }
        return new SortSpec(keys);
    }

    /// <summary>The specification as a document, e.g. <c>{updated_at: 1, _id: 1}</c>.</summary>
    public BsonDocument ToDocument() => new(Keys.Select(k => new BsonElement(k.Path.Dotted, k.Descending ? -1 : 1)));

    public BsonValue[] KeyOf<TSource>(TSource source, List<BsonValue> scratch)
        where TSource : IFieldSource
    {
        var key = new BsonValue[Keys.Count];
        for (var i = 0; i < key.Length; i++)
        {
            key[i] = Keys[i].Path.SortKey(source, Keys[i].Descending, scratch);
        }
        return key;
    }

    public int CompareKeys(BsonValue[] a, BsonValue[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var c = BsonOrder.CompareValues(a[i], b[i]);
            if (c != 0)
            {
                return Keys[i].Descending ? -c : c;
            }
        }
        return 0;
    }
}
