using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

[Collection(MongoServerCollection.Name)]
public sealed class WriteTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> U = Builders<BsonDocument>.Update;

    private IMongoCollection<BsonDocument> NewCollection() =>
        fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");

    [Fact]
    public async Task Insert_generates_an_ObjectId_when_none_is_given()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument("x", 1));
        await c.InsertManyAsync([new BsonDocument("x", 2), new BsonDocument("x", 3)]);

        var all = await c.Find(F.Empty).ToListAsync();

        Assert.Equal(3, all.Count);
        Assert.All(all, d => Assert.IsType<BsonObjectId>(d["_id"]));
        Assert.Equal(3, all.Select(d => d["_id"]).Distinct().Count());
    }

    [Fact]
    public async Task Duplicate_id_is_an_E11000_write_error()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "first" } });

        var single = await Assert.ThrowsAsync<MongoWriteException>(() => c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "second" } }));
        var ordered = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() =>
            c.InsertManyAsync([new BsonDocument("_id", 2), new BsonDocument("_id", 1), new BsonDocument("_id", 3)]));
        var unordered = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(() =>
            c.InsertManyAsync([new BsonDocument("_id", 1), new BsonDocument("_id", 4)], new InsertManyOptions { IsOrdered = false }));

        Assert.Equal(ServerErrorCategory.DuplicateKey, single.WriteError.Category);
        Assert.Contains("E11000", single.WriteError.Message);
        Assert.Equal(1, ordered.WriteErrors.Single().Index);
        Assert.Equal(0, unordered.WriteErrors.Single().Index);
        Assert.Equal("first", (await c.Find(F.Eq("_id", 1)).SingleAsync())["v"].AsString);
        // Ordered stops at the duplicate (3 never written); unordered carries on (4 written).
        Assert.Equal([1, 2, 4], (await c.Find(F.Empty).ToListAsync()).Select(d => d["_id"].AsInt32).Order());
    }

    [Fact]
    public async Task Update_operators_set_unset_inc_on_dotted_paths()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 }, { "gone", true }, { "a", new BsonDocument("b", 1) } });

        var result = await c.UpdateOneAsync(F.Eq("_id", 1), U.Set("a.c.d", "deep").Unset("gone").Inc("n", 2).Inc("a.b", 0.5).Inc("fresh", 5L));
        var doc = await c.Find(F.Eq("_id", 1)).SingleAsync();

        Assert.Equal(1, result.MatchedCount);
        Assert.Equal(1, result.ModifiedCount);
        Assert.Equal(
            new BsonDocument { { "_id", 1 }, { "n", 3 }, { "a", new BsonDocument { { "b", 1.5 }, { "c", new BsonDocument("d", "deep") } } }, { "fresh", 5L } },
            doc);
    }

    [Fact]
    public async Task Update_that_changes_nothing_is_matched_not_modified()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });

        var result = await c.UpdateOneAsync(F.Eq("_id", 1), U.Set("v", 1));

        Assert.Equal(1, result.MatchedCount);
        Assert.Equal(0, result.ModifiedCount);
    }

    [Fact]
    public async Task Replacement_keeps_the_id_and_changing_id_fails()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "old", 1 } });

        await c.ReplaceOneAsync(F.Eq("_id", 1), new BsonDocument("new", 2));
        var error = await Assert.ThrowsAsync<MongoWriteException>(() => c.UpdateOneAsync(F.Eq("_id", 1), U.Set("_id", 2)));

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "new", 2 } }, await c.Find(F.Empty).SingleAsync());
        Assert.Equal(66, error.WriteError.Code);
    }

    [Fact]
    public async Task Upsert_inserts_from_the_filter_and_the_update()
    {
        var c = NewCollection();

        var first = await c.UpdateOneAsync(F.Eq("key", "k1"), U.Set("v", 1).SetOnInsert("created", true), new UpdateOptions { IsUpsert = true });
        var second = await c.UpdateOneAsync(F.Eq("key", "k1"), U.Set("v", 2).SetOnInsert("created", false), new UpdateOptions { IsUpsert = true });
        var replaced = await c.ReplaceOneAsync(F.Eq("_id", 42), new BsonDocument("r", 1), new ReplaceOptions { IsUpsert = true });
        var doc = await c.Find(F.Eq("key", "k1")).SingleAsync();

        Assert.NotNull(first.UpsertedId);
        Assert.Null(second.UpsertedId);
        Assert.Equal(42, replaced.UpsertedId.AsInt32);
        Assert.Equal(2, doc["v"].AsInt32);
        Assert.True(doc["created"].AsBoolean);
        Assert.Equal(new BsonDocument { { "_id", 42 }, { "r", 1 } }, await c.Find(F.Eq("_id", 42)).SingleAsync());
    }

    [Fact]
    public async Task UpdateMany_touches_every_match_UpdateOne_only_one()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(1, 5).Select(i => new BsonDocument { { "_id", i }, { "even", i % 2 == 0 } }));

        var many = await c.UpdateManyAsync(F.Eq("even", false), U.Set("tag", "odd"));
        var one = await c.UpdateOneAsync(F.Eq("even", true), U.Set("tag", "even"));

        Assert.Equal(3, many.ModifiedCount);
        Assert.Equal(1, one.ModifiedCount);
        Assert.Equal(3, await c.CountDocumentsAsync(F.Eq("tag", "odd")));
        Assert.Equal(1, await c.CountDocumentsAsync(F.Eq("tag", "even")));
    }

    [Fact]
    public async Task Unknown_update_operator_is_a_write_error()
    {
        var c = NewCollection();
        await c.InsertOneAsync(new BsonDocument("_id", 1));

        var error = await Assert.ThrowsAsync<MongoWriteException>(() =>
            c.UpdateOneAsync(F.Eq("_id", 1), new BsonDocument("$frobnicate", new BsonDocument("a", 1))));

        Assert.Equal(9, error.WriteError.Code);
    }

    [Fact]
    public async Task FindOneAndUpdate_Replace_and_Delete()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(1, 3).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));

        var before = await c.FindOneAndUpdateAsync(F.Gte("n", 2), U.Inc("n", 10), new FindOneAndUpdateOptions<BsonDocument> { Sort = new BsonDocument("n", -1) });
        var after = await c.FindOneAndUpdateAsync(F.Eq("_id", 1), U.Set("x", true), new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After });
        var upserted = await c.FindOneAndReplaceAsync(F.Eq("_id", 9), new BsonDocument("r", 1), new FindOneAndReplaceOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });
        var deleted = await c.FindOneAndDeleteAsync(F.Eq("_id", 2));
        var missing = await c.FindOneAndDeleteAsync(F.Eq("_id", 2));

        Assert.Equal(new BsonDocument { { "_id", 3 }, { "n", 3 } }, before);
        Assert.Equal(13, (await c.Find(F.Eq("_id", 3)).SingleAsync())["n"].AsInt32);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "n", 1 }, { "x", true } }, after);
        Assert.Equal(new BsonDocument { { "_id", 9 }, { "r", 1 } }, upserted);
        Assert.Equal(2, deleted["_id"].AsInt32);
        Assert.Null(missing);
    }

    [Fact]
    public async Task Distinct_lists_each_value_once_including_array_elements()
    {
        var c = NewCollection();
        await c.InsertManyAsync([
            new BsonDocument { { "_id", 1 }, { "tag", "a" } },
            new BsonDocument { { "_id", 2 }, { "tag", new BsonArray { "b", "a" } } },
            new BsonDocument { { "_id", 3 }, { "tag", 1 } },
            new BsonDocument { { "_id", 4 }, { "tag", 1.0 } },
        ]);

        var values = await (await c.DistinctAsync<BsonValue>("tag", F.Empty)).ToListAsync();

        // MongoDB promises no order; 1 and 1.0 are one value.
        Assert.Equal(["1", "a", "b"], values.Select(v => v.ToString()).Order());
    }

    [Fact]
    public async Task DeleteOne_and_DeleteMany()
    {
        var c = NewCollection();
        await c.InsertManyAsync(Enumerable.Range(1, 6).Select(i => new BsonDocument { { "_id", i }, { "g", i % 2 } }));

        var one = await c.DeleteOneAsync(F.Eq("g", 1));
        var many = await c.DeleteManyAsync(F.Eq("g", 0));
        var rest = await c.DeleteManyAsync(F.Empty);

        Assert.Equal(1, one.DeletedCount);
        Assert.Equal(3, many.DeletedCount);
        Assert.Equal(2, rest.DeletedCount);
        Assert.Equal(0, await c.EstimatedDocumentCountAsync());
    }

    [Fact]
    public async Task A_16_MB_document_round_trips()
    {
        var c = NewCollection();
        var payload = new byte[16 * 1024 * 1024 - 100];
        new Random(7).NextBytes(payload);
        var doc = new BsonDocument { { "_id", 1 }, { "blob", new BsonBinaryData(payload) } };

        await c.InsertOneAsync(doc);
        var back = await c.Find(F.Eq("_id", 1)).SingleAsync();

        Assert.True(doc.ToBson().Length > 16 * 1024 * 1024 - 200);
        Assert.Equal(payload, back["blob"].AsByteArray);
    }
}
