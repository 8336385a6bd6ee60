using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

[Collection(MongoServerCollection.Name)]
public sealed class CursorTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(IMongoClient client, int count)
    {
        var collection = client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(Enumerable.Range(1, count).Select(i => new BsonDocument { { "_id", i }, { "v", i * 10 } }));
        return collection;
    }

    private MongoClient ClientRecording(List<string> commands)
    {
        var settings = MongoClientSettings.FromConnectionString(fixture.ConnectionString);
        settings.ClusterConfigurator = b => b.Subscribe<CommandStartedEvent>(e =>
        {
            lock (commands)
            {
                commands.Add(e.CommandName);
            }
        });
        return new MongoClient(settings);
    }

    [Fact]
    public async Task Skip_limit_and_batchSize_page_through_getMore()
    {
        var commands = new List<string>();
        using var client = ClientRecording(commands);
        var c = await SeedAsync(client, 25);

        var page = await c.Find(F.Gt("v", 20)).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).Skip(2).Limit(15).ToListAsync();
        var batched = await c.Find(F.Empty, new FindOptions { BatchSize = 4 }).ToListAsync();

        Assert.Equal(Enumerable.Range(5, 15), page.Select(d => d["_id"].AsInt32));
        Assert.Equal(Enumerable.Range(1, 25), batched.Select(d => d["_id"].AsInt32).Order());
        // 25 documents four at a time: the first batch and six getMores.
        Assert.Equal(6, commands.Count(n => n == "getMore"));
    }

    [Fact]
    public async Task A_cursor_abandoned_early_is_killed()
    {
        var commands = new List<string>();
        using var client = ClientRecording(commands);
        var c = await SeedAsync(client, 10);

        using (var cursor = await c.Find(F.Empty, new FindOptions { BatchSize = 2 }).ToCursorAsync())
        {
            Assert.True(await cursor.MoveNextAsync());
        }

        Assert.Contains("killCursors", commands);
    }

    [Fact]
    public async Task GetMore_on_a_killed_cursor_is_CursorNotFound()
    {
        var c = await SeedAsync(fixture.Client, 10);
        var db = c.Database;

        var found = await db.RunCommandAsync<BsonDocument>(new BsonDocument { { "find", "c" }, { "batchSize", 3 } });
        var id = found["cursor"]["id"].AsInt64;
        var next = await db.RunCommandAsync<BsonDocument>(new BsonDocument { { "getMore", id }, { "collection", "c" }, { "batchSize", 3 } });
        var killed = await db.RunCommandAsync<BsonDocument>(new BsonDocument { { "killCursors", "c" }, { "cursors", new BsonArray { id } } });
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            db.RunCommandAsync<BsonDocument>(new BsonDocument { { "getMore", id }, { "collection", "c" } }));

        Assert.NotEqual(0, id);
        Assert.Equal(3, found["cursor"]["firstBatch"].AsBsonArray.Count);
        Assert.Equal([4, 5, 6], next["cursor"]["nextBatch"].AsBsonArray.Select(d => d["_id"].AsInt32));
        Assert.Equal(new BsonArray { id }, killed["cursorsKilled"].AsBsonArray);
        Assert.Equal(43, error.Code);
    }

    [Fact]
    public async Task Count_CountDocuments_and_EstimatedDocumentCount()
    {
        var c = await SeedAsync(fixture.Client, 30);

        var count = await c.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "count", "c" }, { "query", new BsonDocument("v", new BsonDocument("$lte", 100)) } });
        var filtered = await c.CountDocumentsAsync(F.Gt("v", 100));
        var limited = await c.CountDocumentsAsync(F.Empty, new CountOptions { Skip = 5, Limit = 10 });
        var estimated = await c.EstimatedDocumentCountAsync();
        var missing = await c.Database.GetCollection<BsonDocument>("nope").CountDocumentsAsync(F.Empty);

        Assert.Equal(10, count["n"].ToInt32());
        Assert.Equal(20, filtered);
        Assert.Equal(10, limited);
        Assert.Equal(30, estimated);
        Assert.Equal(0, missing);
    }

    [Fact]
    public async Task Aggregate_match_sort_skip_limit_group_and_count()
    {
        var c = await SeedAsync(fixture.Client, 20);

        var top = await c.Aggregate().Match(F.Gt("v", 50)).Sort(new BsonDocument("v", -1)).Skip(1).Limit(3).ToListAsync();
        var total = await c.Aggregate().Group(new BsonDocument { { "_id", BsonNull.Value }, { "sum", new BsonDocument("$sum", "$v") }, { "n", new BsonDocument("$sum", 1) } }).SingleAsync();
        var counted = await c.Aggregate().Match(F.Lte("v", 70)).Count().SingleAsync();

        Assert.Equal([190, 180, 170], top.Select(d => d["v"].AsInt32));
        Assert.Equal(2100, total["sum"].ToInt32());
        Assert.Equal(20, total["n"].ToInt32());
        Assert.Equal(7, counted.Count);
    }

    [Fact]
    public async Task Aggregate_limit_then_skip_skips_within_the_limit()
    {
        var c = await SeedAsync(fixture.Client, 20);

        var some = await c.Aggregate().Limit(5).Skip(2).ToListAsync();
        var none = await c.Aggregate().Limit(5).Skip(5).ToListAsync();
        var beyond = await c.Aggregate().Sort(new BsonDocument("_id", 1)).Limit(5).Skip(10).ToListAsync();

        Assert.Equal([3, 4, 5], some.Select(d => d["_id"].AsInt32));
        Assert.Empty(none);
        Assert.Empty(beyond);
    }

    [Fact]
    public async Task Group_by_a_field_sums_per_key()
    {
        var c = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await c.InsertManyAsync(Enumerable.Range(1, 9).Select(i => new BsonDocument { { "_id", i }, { "k", i % 3 }, { "v", i } }));

        var groups = await c.Aggregate().Group(new BsonDocument { { "_id", "$k" }, { "total", new BsonDocument("$sum", "$v") } }).Sort(new BsonDocument("_id", 1)).ToListAsync();

        Assert.Equal([18, 12, 15], groups.Select(g => g["total"].ToInt32()));
    }
}
