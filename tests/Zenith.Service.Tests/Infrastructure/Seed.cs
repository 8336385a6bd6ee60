using MongoDB.Bson;

namespace Zenith.Service.Tests.Infrastructure;

public static class Seed
{
    /// <summary>
    /// Inserts <paramref name="count"/> visit-like documents (nested fields, timestamps) into a collection. They were written ten
    /// minutes ago, beyond any settle window, so a run's checkpoint moves past them (the window's own tests make fresh keys).
    /// </summary>
    public static async Task InsertAsync(ServiceServers servers, string database, string collection, int count, int offset = 0)
    {
        var at = DateTime.UtcNow.AddMinutes(-10);
        var docs = Enumerable.Range(offset, count).Select(i => new BsonDocument
        {
            { "_id", ObjectId.GenerateNewId(at) },
            { "n", i },
            { "url", $"https://example.com/{i % 97}" },
            { "user", new BsonDocument { { "id", i % 13 }, { "name", $"user {i % 13}" } } },
            { "updated_at", new BsonDateTime(at) },
        });
        await servers.Mongo.Client.GetDatabase(database).GetCollection<BsonDocument>(collection).InsertManyAsync(docs);
    }
}
