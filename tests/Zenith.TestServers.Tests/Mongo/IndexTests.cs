using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>Secondary indexes as a real mongod has them: created, listed, dropped, enforced, and used by finds.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class IndexTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly IndexKeysDefinitionBuilder<BsonDocument> K = Builders<BsonDocument>.IndexKeys;

    private IMongoCollection<BsonDocument> NewCollection() =>
        fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");

    private static async Task<BsonDocument> ExplainAsync(IMongoCollection<BsonDocument> c, BsonDocument find) =>
        await c.Database.RunCommandAsync<BsonDocument>(new BsonDocument { { "explain", find }, { "verbosity", "executionStats" } });

    private static BsonDocument Stage(BsonDocument plan, string name)
    {
        for (var stage = plan; ; stage = stage["inputStage"].AsBsonDocument)
        {
            if (stage["stage"] == name)
            {
                return stage;
            }
            if (!stage.Contains("inputStage"))
            {
                throw new Xunit.Sdk.XunitException($"no {name} stage in {plan}");
            }
        }
    }

    [Fact]
    public async Task Indexes_are_created_listed_and_dropped_with_the_names_MongoDB_gives_them()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument("_id", 1));

        var compound = await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("updated_at").Ascending("_id")));
        var dotted = await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Descending("meta.at")));
        var again = await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("updated_at").Ascending("_id")));
        var listed = await (await c.Indexes.ListAsync()).ToListAsync();
        await c.Indexes.DropOneAsync(dotted);
        var afterDrop = await (await c.Indexes.ListAsync()).ToListAsync();
        var dropId = await Assert.ThrowsAsync<MongoCommandException>(() => c.Indexes.DropOneAsync("_id_"));
        var dropMissing = await Assert.ThrowsAsync<MongoCommandException>(() => c.Indexes.DropOneAsync("no_such_index"));

        Assert.Equal("updated_at_1__id_1", compound);
        Assert.Equal("meta.at_-1", dotted);
        Assert.Equal(compound, again);
        Assert.Equal(["_id_", "updated_at_1__id_1", "meta.at_-1"], listed.Select(i => i["name"].AsString));
        Assert.Equal(BsonDocument.Parse("{updated_at: 1, _id: 1}"), listed[1]["key"]);
        Assert.Equal(["_id_", "updated_at_1__id_1"], afterDrop.Select(i => i["name"].AsString));
        Assert.Equal(72, dropId.Code);
        Assert.Equal(27, dropMissing.Code);
    }

    [Fact]
    public async Task A_unique_index_refuses_duplicates_with_E11000_and_stores_nothing()
    {
        var c = NewCollection();
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("email"), new CreateIndexOptions { Unique = true }));
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "email", "a@example.com" } });
        await c.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "email", "b@example.com" } });

        var insert = await Assert.ThrowsAsync<MongoWriteException>(() => c.InsertOneAsync(new BsonDocument { { "_id", 3 }, { "email", "a@example.com" } }));
        var update = await Assert.ThrowsAsync<MongoWriteException>(() => c.UpdateOneAsync(F.Eq("_id", 2), Builders<BsonDocument>.Update.Set("email", "a@example.com")));
        var listed = await (await c.Indexes.ListAsync()).ToListAsync();

        Assert.Equal(11000, insert.WriteError.Code);
        Assert.Contains("index: email_1 dup key: { email: \"a@example.com\" }", insert.WriteError.Message, StringComparison.Ordinal);
        Assert.Equal(11000, update.WriteError.Code);
        Assert.Equal([1, 2], (await c.Find(F.Empty).ToListAsync()).Select(d => d["_id"].AsInt32));
        Assert.Equal("b@example.com", (await c.Find(F.Eq("_id", 2)).SingleAsync())["email"].AsString);
        Assert.True(listed[1]["unique"].AsBoolean);
    }

    [Fact]
    public async Task Building_a_unique_index_over_duplicates_fails_and_creates_no_index()
    {
        var c = NewCollection();
        await c.InsertManyAsync([new BsonDocument { { "_id", 1 }, { "k", 5 } }, new BsonDocument { { "_id", 2 }, { "k", 5.0 } }]);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("k"), new CreateIndexOptions { Unique = true })));

        Assert.Equal(11000, error.Code);
        Assert.Single(await (await c.Indexes.ListAsync()).ToListAsync());
    }

    [Fact]
    public async Task A_keyset_page_scans_the_index_from_its_lower_bound()
    {
        var c = NewCollection();
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await c.InsertManyAsync(Enumerable.Range(0, 2000).Select(i => new BsonDocument { { "_id", i }, { "updated_at", start.AddSeconds(i / 10) } }));
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("updated_at").Ascending("_id")));
        var at = start.AddSeconds(150);
        var keyset = BsonDocument.Parse($"{{$or: [{{updated_at: {{$gt: ISODate('{at:O}')}}}}, {{updated_at: ISODate('{at:O}'), _id: {{$gt: 1504}}}}]}}");

        var explain = await ExplainAsync(c, new BsonDocument { { "find", "c" }, { "filter", keyset }, { "sort", BsonDocument.Parse("{updated_at: 1, _id: 1}") }, { "limit", 20 } });
        var page = await c.Find(keyset).Sort(BsonDocument.Parse("{updated_at: 1, _id: 1}")).Limit(20).ToListAsync();

        var scan = Stage(explain["queryPlanner"]["winningPlan"].AsBsonDocument, "IXSCAN");
        Assert.Equal("updated_at_1__id_1", scan["indexName"].AsString);
        Assert.DoesNotContain("SORT", explain["queryPlanner"]["winningPlan"].ToString(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1505, 20), page.Select(d => d["_id"].AsInt32));
        // Work in proportion to what the page returns, not to the 2,000 documents.
        Assert.Equal(20, explain["executionStats"]["nReturned"].ToInt32());
        Assert.True(explain["executionStats"]["totalKeysExamined"].ToInt32() <= 21, explain["executionStats"].ToString());
    }

    [Fact]
    public async Task An_or_that_selects_whole_types_with_type_keeps_the_index_and_finds_every_type()
    {
        var c = NewCollection();
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await c.InsertManyAsync(Enumerable.Range(0, 2000).Select(i => new BsonDocument { { "_id", i }, { "updated_at", start.AddSeconds(i / 10) } }));
        await c.InsertManyAsync([
            new BsonDocument { { "_id", 3000 }, { "updated_at", "yesterday" } },
            new BsonDocument { { "_id", 3001 }, { "updated_at", 17 } },
            new BsonDocument { { "_id", 3002 }, { "updated_at", BsonNull.Value } },
            new BsonDocument { { "_id", 3003 } },
            new BsonDocument { { "_id", 3004 }, { "updated_at", true } },
            new BsonDocument { { "_id", 3005 }, { "updated_at", new BsonTimestamp(5, 1) } },
            new BsonDocument { { "_id", 3006 }, { "updated_at", BsonMaxKey.Value } },
        ]);
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("updated_at").Ascending("_id")));
        var at = start.AddSeconds(198);
        // The shape of an incremental run's query: the rest of the date bracket, null and missing, and every bracket without a position.
        var filter = BsonDocument.Parse($$$"""
            {$or: [{updated_at: null}, {updated_at: {$gt: ISODate('{{{at:O}}}')}}, {updated_at: ISODate('{{{at:O}}}'), _id: {$gt: 1984}},
                   {updated_at: {$type: ["number", "string", "symbol", "object", "binData", "objectId", "bool", "timestamp", "regex", "dbPointer", "javascript", "javascriptWithScope", "minKey", "maxKey"]}}]}
            """);
        var sort = BsonDocument.Parse("{updated_at: 1, _id: 1}");

        var explain = await ExplainAsync(c, new BsonDocument { { "find", "c" }, { "filter", filter }, { "sort", sort } });
        var found = await c.Find(filter).Sort(sort).ToListAsync();

        Assert.Equal("updated_at_1__id_1", Stage(explain["queryPlanner"]["winningPlan"].AsBsonDocument, "IXSCAN")["indexName"].AsString);
        Assert.DoesNotContain("SORT", explain["queryPlanner"]["winningPlan"].ToString(), StringComparison.Ordinal);
        // MongoDB's order: null and missing, numbers, strings, booleans, dates, timestamps, MaxKey.
        int[] expected = [3002, 3003, 3001, 3000, 3004, .. Enumerable.Range(1985, 15), 3005, 3006];
        Assert.Equal(expected, found.Select(d => d["_id"].AsInt32));
        Assert.True(explain["executionStats"]["totalKeysExamined"].ToInt32() <= expected.Length + 16, explain["executionStats"].ToString());
    }

    [Fact]
    public async Task Without_a_usable_index_a_sort_is_a_blocking_sort_over_a_collection_scan()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i }, { "t", 49 - i } }));

        var explain = await ExplainAsync(c, new BsonDocument { { "find", "c" }, { "filter", BsonDocument.Parse("{t: {$gte: 40}}") }, { "sort", new BsonDocument("t", 1) } });

        var plan = explain["queryPlanner"]["winningPlan"].AsBsonDocument;
        Assert.Equal("SORT", plan["stage"].AsString);
        Assert.Equal("COLLSCAN", Stage(plan, "COLLSCAN")["stage"].AsString);
        Assert.Equal(50, explain["executionStats"]["totalDocsExamined"].ToInt32());
    }

    [Fact]
    public async Task A_hint_chooses_the_index_and_a_hint_naming_no_index_is_an_error()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "a", i % 3 }, { "b", i } }));
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("b")));

        var hinted = await ExplainAsync(c, new BsonDocument { { "find", "c" }, { "filter", new BsonDocument("a", 1) }, { "hint", "b_1" } });
        var natural = await c.Find(F.Gt("b", 2), new FindOptions { Hint = new BsonDocument("$natural", -1) }).ToListAsync();
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => c.Find(F.Empty, new FindOptions { Hint = "nope_1" }).ToListAsync());

        Assert.Equal("b_1", Stage(hinted["queryPlanner"]["winningPlan"].AsBsonDocument, "IXSCAN")["indexName"].AsString);
        Assert.Equal([9, 8, 7, 6, 5, 4, 3], natural.Select(d => d["_id"].AsInt32));
        Assert.Equal(2, error.Code);
    }

    [Fact]
    public async Task An_index_scan_is_live_across_batches_while_a_blocking_sort_is_a_snapshot()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(0, 6).Select(i => new BsonDocument { { "_id", i * 10 }, { "t", i * 10 } }));
        await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(K.Ascending("t")));

        using var live = await c.FindAsync(F.Empty, new FindOptions<BsonDocument> { Sort = new BsonDocument("t", 1), BatchSize = 2 });
        using var snapshot = await c.FindAsync(F.Empty, new FindOptions<BsonDocument> { Sort = new BsonDocument("u", 1).Add("_id", 1), BatchSize = 2 });
        Assert.True(await live.MoveNextAsync());
        Assert.True(await snapshot.MoveNextAsync());
        // Ahead of the live scan's position, and behind it.
        await c.InsertManyAsync([new BsonDocument { { "_id", 45 }, { "t", 45 } }, new BsonDocument { { "_id", 5 }, { "t", 5 } }]);
        var liveIds = live.Current.Select(d => d["_id"].AsInt32).ToList();
        var snapshotIds = snapshot.Current.Select(d => d["_id"].AsInt32).ToList();
        while (await live.MoveNextAsync())
        {
            liveIds.AddRange(live.Current.Select(d => d["_id"].AsInt32));
        }
        while (await snapshot.MoveNextAsync())
        {
            snapshotIds.AddRange(snapshot.Current.Select(d => d["_id"].AsInt32));
        }

        Assert.Equal([0, 10, 20, 30, 40, 45, 50], liveIds);
        Assert.Equal([0, 10, 20, 30, 40, 50], snapshotIds);
    }
}
