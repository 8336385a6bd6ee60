using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>Query and update operators with the results MongoDB's operator reference documents.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class OperatorTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(params BsonDocument[] documents)
    {
        var collection = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(documents);
        return collection;
    }

    private static async Task<List<int>> IdsAsync(IMongoCollection<BsonDocument> c, BsonDocument filter) =>
        [.. (await c.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync()).Select(d => d["_id"].AsInt32)];

    private static async Task<BsonDocument> UpdatedAsync(IMongoCollection<BsonDocument> c, BsonDocument update)
    {
        await c.UpdateOneAsync(F.Eq("_id", 1), new BsonDocumentUpdateDefinition<BsonDocument>(update));
        return await c.Find(F.Eq("_id", 1)).SingleAsync();
    }

    [Fact]
    public async Task Type_all_and_mod_select_as_documented()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", 7 }, { "tags", new BsonArray { "a", "b", "c" } } },
            new BsonDocument { { "_id", 2 }, { "v", 7L }, { "tags", new BsonArray { "a" } } },
            new BsonDocument { { "_id", 3 }, { "v", 7.5 }, { "tags", "a" } },
            new BsonDocument { { "_id", 4 }, { "v", "7" } });

        Assert.Equal([2], await IdsAsync(c, BsonDocument.Parse("{v: {$type: 'long'}}")));
        Assert.Equal([1, 2, 3], await IdsAsync(c, BsonDocument.Parse("{v: {$type: 'number'}}")));
        Assert.Equal([1, 2], await IdsAsync(c, BsonDocument.Parse("{tags: {$type: 'array'}}")));
        Assert.Equal([1], await IdsAsync(c, BsonDocument.Parse("{tags: {$all: ['c', 'a']}}")));
        Assert.Equal([1, 2, 3], await IdsAsync(c, BsonDocument.Parse("{tags: {$all: ['a']}}")));
        // $mod truncates a double dividend: 7.5 % 2 is 1 like 7 % 2.
        Assert.Equal([1, 2, 3], await IdsAsync(c, BsonDocument.Parse("{v: {$mod: [2, 1]}}")));
    }

    [Fact]
    public async Task A_malformed_operator_is_an_error_not_an_equality()
    {
        var c = await SeedAsync(new BsonDocument { { "_id", 1 }, { "v", 5 } });

        var notError = await Assert.ThrowsAsync<MongoCommandException>(() => c.Find(BsonDocument.Parse("{v: {$not: 5}}")).ToListAsync());
        var modError = await Assert.ThrowsAsync<MongoCommandException>(() => c.Find(BsonDocument.Parse("{v: {$mod: [0, 1]}}")).ToListAsync());

        Assert.Equal(2, notError.Code);
        Assert.Equal(2, modError.Code);
    }

    [Fact]
    public async Task Push_modifiers_each_position_sort_and_slice()
    {
        var c = await SeedAsync(new BsonDocument { { "_id", 1 }, { "s", new BsonArray { 5, 1 } } });

        var positioned = await UpdatedAsync(c, BsonDocument.Parse("{$push: {s: {$each: [9], $position: 0}}}"));
        var sortedSliced = await UpdatedAsync(c, BsonDocument.Parse("{$push: {s: {$each: [3, 8], $sort: -1, $slice: 3}}}"));

        Assert.Equal(new BsonArray { 9, 5, 1 }, positioned["s"]);
        Assert.Equal(new BsonArray { 9, 8, 5 }, sortedSliced["s"]);
    }

    [Fact]
    public async Task Pull_pullAll_pop_and_bit()
    {
        var c = await SeedAsync(new BsonDocument
        {
            { "_id", 1 },
            { "n", new BsonArray { 1, 6, 2, 8, 2 } },
            { "d", new BsonArray { new BsonDocument { { "k", "x" }, { "v", 1 } }, new BsonDocument { { "k", "y" }, { "v", 2 } } } },
            { "flags", 5 },
        });

        var pulled = await UpdatedAsync(c, BsonDocument.Parse("{$pull: {n: {$gte: 6}, d: {k: 'x'}}}"));
        var pulledAll = await UpdatedAsync(c, BsonDocument.Parse("{$pullAll: {n: [2]}}"));
        var popped = await UpdatedAsync(c, BsonDocument.Parse("{$pop: {d: -1}, $bit: {flags: {and: 4, or: 2}}}"));

        Assert.Equal(new BsonArray { 1, 2, 2 }, pulled["n"]);
        Assert.Equal(new BsonArray { new BsonDocument { { "k", "y" }, { "v", 2 } } }, pulled["d"]);
        Assert.Equal(new BsonArray { 1 }, pulledAll["n"]);
        Assert.Equal(new BsonArray(), popped["d"]);
        Assert.Equal(6, popped["flags"].AsInt32);
    }

    [Fact]
    public async Task Conflicting_update_paths_are_refused()
    {
        var c = await SeedAsync(new BsonDocument { { "_id", 1 }, { "a", new BsonDocument("b", 1) } });

        var error = await Assert.ThrowsAsync<MongoWriteException>(() =>
            c.UpdateOneAsync(F.Eq("_id", 1), new BsonDocumentUpdateDefinition<BsonDocument>(BsonDocument.Parse("{$set: {a: 1}, $inc: {'a.b': 1}}"))));

        Assert.Equal(40, error.WriteError.Code);
        Assert.Equal(1, (await c.Find(F.Empty).SingleAsync())["a"]["b"].AsInt32);
    }

    [Fact]
    public async Task An_upsert_counts_as_matched_and_seeds_from_the_filter()
    {
        var c = await SeedAsync(new BsonDocument("_id", 0));

        var result = await c.UpdateOneAsync(BsonDocument.Parse("{_id: 5, 'meta.kind': 'x'}"), BsonDocument.Parse("{$inc: {n: 1}}"), new UpdateOptions { IsUpsert = true });
        var created = await c.Find(F.Eq("_id", 5)).SingleAsync();

        Assert.Equal(5, result.UpsertedId.AsInt32);
        Assert.Equal(0, result.ModifiedCount);
        Assert.Equal(BsonDocument.Parse("{_id: 5, meta: {kind: 'x'}, n: 1}"), created);
    }
}
