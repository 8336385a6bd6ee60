using MongoDB.Bson;

namespace Zenith.Service.Tests.Infrastructure;

public static class Seed
{
    /// <summary>Inserts <paramref name="count"/> visit-like documents (nested fields, timestamps) into a collection.</summary>
    public static async Task InsertAsync(ServiceServers servers, string database, string collection, int count, int offset = 0)
    {
        var docs = Enumerable.Range(offset, count).Select(i => new BsonDocument
        {
            { "_id", ObjectId.GenerateNewId() },
            { "n", i },
            { "url", $"https://example.com/{i % 97}" },
            { "user", new BsonDocument { { "id", i % 13 }, { "name", $"user {i % 13}" } } },
            { "updated_at", new BsonDateTime(DateTime.UtcNow) },
        });
        await servers.Mongo.Client.GetDatabase(database).GetCollection<BsonDocument>(collection).InsertManyAsync(docs);
    }
}
