using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// The document an upsert starts from: the filter's equality conditions (top level, in <c>$and</c>, and
/// <c>$eq</c>), set by path, before the update's operators apply. A replacement keeps only an
/// <c>_id</c> equality.
/// </summary>
internal static class UpsertSeed
{
    public static BsonDocument From(BsonDocument filter)
    {
        var seed = new BsonDocument();
        foreach (var (path, value) in Equalities(filter))
        {
            Query.UpdatePaths.Set(seed, path.Split('.'), value);
        }
        return seed;
    }

    public static BsonValue? IdEquality(BsonDocument filter) =>
        Equalities(filter).Where(e => e.Path == "_id").Select(e => e.Value).FirstOrDefault();

    private static IEnumerable<(string Path, BsonValue Value)> Equalities(BsonDocument filter)
    {
        foreach (var element in filter)
        {
            if (element.Name == "$and" && element.Value is BsonArray parts)
            {
                foreach (var part in parts.OfType<BsonDocument>())
                {
                    foreach (var equality in Equalities(part))
                    {
                        yield return equality;
                    }
                }
            }
            else if (!element.Name.StartsWith('$'))
            {
                if (element.Value is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
                {
                    if (ops.TryGetValue("$eq", out var eq))
                    {
                        yield return (element.Name, eq);
                    }
                }
                else if (element.Value is not BsonRegularExpression)
                {
                    yield return (element.Name, element.Value);
                }
            }
        }
    }
}
