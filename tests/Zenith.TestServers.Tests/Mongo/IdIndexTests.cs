using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// Queries the <c>_id</c> index answers (equality, <c>$in</c>, ranges, skips): the results must be
/// exactly those of a full scan. Collections span several index chunks (1,024 documents each).
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class IdIndexTests(MongoFixture fixture)
{
    private const int Count = 3000;
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly SortDefinitionBuilder<BsonDocument> S = Builders<BsonDocument>.Sort;

    // _id i, group i % 7, rank in the reverse order of _id.
    private async Task<IMongoCollection<BsonDocument>> SeedAsync()
    {
        var collection = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(Enumerable.Range(0, Count).Select(i => new BsonDocument { { "_id", i }, { "group", i % 7 }, { "rank", Count - i } }));
        return collection;
    }

    private static List<int> Ids(IEnumerable<BsonDocument> documents) => [.. documents.Select(d => d["_id"].AsInt32)];

    [Fact]
    public async Task In_on_id_finds_exactly_the_listed_documents()
    {
        var c = await SeedAsync();
        // Missing ids, a duplicate, the same number as long and double, an array (never an _id), unordered.
        var listed = new BsonArray { 2500, 7, 99_999, 7, 1024L, 1023.0, -1, new BsonArray { 5 }, 0, 2999, "7" };

        Assert.Equal([0, 7, 1023, 1024, 2500, 2999], Ids(await c.Find(F.In("_id", listed)).ToListAsync()));
        Assert.Equal([2999, 2500, 1024, 1023, 7, 0], Ids(await c.Find(F.In("_id", listed)).Sort(S.Descending("_id")).ToListAsync()));
        Assert.Equal(6, await c.CountDocumentsAsync(F.In("_id", listed)));
        Assert.Empty(await c.Find(F.In("_id", Array.Empty<int>())).ToListAsync());
    }

    [Fact]
    public async Task In_on_id_with_more_conditions_sorts_skips_limits_and_pages()
    {
        var c = await SeedAsync();
        var listed = Enumerable.Range(0, 100).Select(i => i * 29).ToArray();
        var expected = listed.Where(i => i % 7 == 3 && i > 500).ToList();

        var filtered = F.And(F.In("_id", listed), F.Eq("group", 3), F.Gt("_id", 500));
        Assert.Equal(expected, Ids(await c.Find(filtered).ToListAsync()));

        // Sorted by another field (rank falls as _id grows), then skip and limit.
        var byRank = await c.Find(F.In("_id", listed)).Sort(S.Ascending("rank")).Skip(10).Limit(20).ToListAsync();
        Assert.Equal(listed.OrderByDescending(i => i).Skip(10).Take(20), Ids(byRank));

        // Small batches: the cursor resumes among the listed ids through getMore.
        var all = new List<int>();
        using (var cursor = await c.FindAsync(F.In("_id", listed), new FindOptions<BsonDocument> { Skip = 5, BatchSize = 7 }))
        {
            while (await cursor.MoveNextAsync())
            {
                all.AddRange(Ids(cursor.Current));
            }
        }
        Assert.Equal(listed.Skip(5), all);
    }

    [Fact]
    public async Task UpdateOne_and_deletes_by_id_touch_only_the_named_documents()
    {
        var c = await SeedAsync();

        for (var i = 0; i < 50; i++)
        {
            var result = await c.UpdateOneAsync(F.Eq("_id", i * 61), Builders<BsonDocument>.Update.Set("touched", true).Inc("rank", 1));
            Assert.Equal(1, result.ModifiedCount);
        }
        var missing = await c.UpdateOneAsync(F.Eq("_id", -5), Builders<BsonDocument>.Update.Set("touched", true));
        var deleted = await c.DeleteManyAsync(F.In("_id", new[] { 61, 62, 63, -1 }));

        Assert.Equal(0, missing.MatchedCount);
        Assert.Equal(3, deleted.DeletedCount);
        var touched = await c.Find(F.Eq("touched", true)).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 61).Where(i => i != 61), Ids(touched));
        Assert.All(touched, d => Assert.Equal(Count - d["_id"].AsInt32 + 1, d["rank"].AsInt32));
        Assert.Equal(Count - 3, await c.CountDocumentsAsync(F.Empty));
        Assert.Equal(Count - 3 - 49, await c.CountDocumentsAsync(F.Ne("touched", true)));
    }

    [Fact]
    public async Task Skips_land_on_the_same_documents_as_a_walk_would()
    {
        var c = await SeedAsync();

        Assert.Equal(Enumerable.Range(2100, 5), Ids(await c.Find(F.Empty).Skip(2100).Limit(5).ToListAsync()));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 899 - i), Ids(await c.Find(F.Empty).Sort(S.Descending("_id")).Skip(2100).Limit(5).ToListAsync()));
        Assert.Equal([1500, 1501], Ids(await c.Find(F.Gte("_id", 1000)).Skip(500).Limit(2).ToListAsync()));
        Assert.Equal([1999], Ids(await c.Find(F.Lt("_id", 2000)).Skip(1999).ToListAsync()));
        Assert.Empty(await c.Find(F.Lt("_id", 2000)).Skip(2000).ToListAsync());
        Assert.Empty(await c.Find(F.Empty).Skip(Count).ToListAsync());
        Assert.Equal(Count - 10, await c.CountDocumentsAsync(F.Empty, new CountOptions { Skip = 10 }));

        // Sorted by another field, skipping past most of the collection, in batches of 100.
        var rest = new List<int>();
        using (var cursor = await c.FindAsync(F.Empty, new FindOptions<BsonDocument> { Sort = S.Ascending("rank"), Skip = 2500, BatchSize = 100 }))
        {
            while (await cursor.MoveNextAsync())
            {
                rest.AddRange(Ids(cursor.Current));
            }
        }
        Assert.Equal(Enumerable.Range(0, 500).Select(i => 499 - i), rest);
        // With a filter the skip counts matching documents only.
        Assert.Equal([2989, 2982], Ids(await c.Find(F.Eq("group", 0)).Sort(S.Descending("_id")).Skip(1).Limit(2).ToListAsync()));
    }

    [Fact]
    public async Task Projection_of_only_the_id_returns_only_the_id()
    {
        var c = await SeedAsync();

        var onlyIds = await c.Find(F.Lt("_id", 3)).Project(new BsonDocument("_id", 1)).ToListAsync();
        var withoutIds = await c.Find(F.Lt("_id", 2)).Project(new BsonDocument("_id", 0)).ToListAsync();

        Assert.Equal([new BsonDocument("_id", 0), new BsonDocument("_id", 1), new BsonDocument("_id", 2)], onlyIds);
        Assert.Equal([new BsonDocument { { "group", 0 }, { "rank", Count } }, new BsonDocument { { "group", 1 }, { "rank", Count - 1 } }], withoutIds);
    }
}
