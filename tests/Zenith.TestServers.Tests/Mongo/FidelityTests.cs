using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// Where a sync tool would be misled by a server that merely looks like MongoDB: orders, bounds and
/// comparisons as MongoDB's documentation specifies them (and as a real mongod answers, when
/// ZENITH_TEST_MONGO_URI names one), and options that are honoured or refused, never ignored.
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class FidelityTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly SortDefinitionBuilder<BsonDocument> S = Builders<BsonDocument>.Sort;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(params BsonDocument[] documents)
    {
        var collection = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(documents);
        return collection;
    }

    private static async Task<List<int>> IdsAsync(IMongoCollection<BsonDocument> c, FilterDefinition<BsonDocument> filter, SortDefinition<BsonDocument>? sort = null) =>
        [.. (await c.Find(filter).Sort(sort ?? S.Ascending("_id")).ToListAsync()).Select(d => d["_id"].AsInt32)];

    [Fact]
    public async Task Strings_order_by_their_UTF8_bytes_in_sorts_and_ranges()
    {
        // U+FB01 (a BMP character above the surrogates) sorts below U+1F600 (a surrogate pair in UTF-16) in UTF-8.
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "s", "\U0001F600" } },
            new BsonDocument { { "_id", 2 }, { "s", "\uFB01" } },
            new BsonDocument { { "_id", 3 }, { "s", "z" } });

        Assert.Equal([3, 2, 1], await IdsAsync(c, F.Empty, S.Ascending("s")));
        Assert.Equal([1], await IdsAsync(c, F.Gt("s", "\uFB01")));
        Assert.Equal([2, 3], await IdsAsync(c, F.Lt("s", "\U0001F600")));
    }

    [Fact]
    public async Task MinKey_and_MaxKey_bounds_match_every_type()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", 5 } },
            new BsonDocument { { "_id", 2 }, { "v", "text" } },
            new BsonDocument { { "_id", 3 }, { "v", ObjectId.Parse("65a000000000000000000000") } },
            new BsonDocument { { "_id", 4 }, { "v", BsonNull.Value } },
            new BsonDocument("_id", 5));

        Assert.Equal([1, 2, 3, 4, 5], await IdsAsync(c, F.Lt("_id", BsonMaxKey.Value)));
        Assert.Equal([1, 2, 3, 4, 5], await IdsAsync(c, F.Gt("v", BsonMinKey.Value)));
        Assert.Equal([1, 2, 3, 4, 5], await IdsAsync(c, F.Lte("v", BsonMaxKey.Value)));
        Assert.Empty(await IdsAsync(c, F.Gt("v", BsonMaxKey.Value)));
        // The keyset pattern sync tools use: a tie on the field, then every _id of any type.
        Assert.Equal([4, 5], await IdsAsync(c, F.And(F.Eq("v", BsonNull.Value), F.Gt("_id", BsonMinKey.Value))));
    }

    [Fact]
    public async Task Long_double_and_decimal_compare_by_exact_value()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", 9_007_199_254_740_993L } },
            new BsonDocument { { "_id", 2 }, { "v", 9_007_199_254_740_992.0 } },
            new BsonDocument { { "_id", 3 }, { "v", Decimal128.Parse("0.1") } },
            new BsonDocument { { "_id", 4 }, { "v", 0.1 } });

        // 2^53 + 1 has no double; it is not equal to 2^53 and sorts above it.
        Assert.Equal([2], await IdsAsync(c, F.Eq("v", 9_007_199_254_740_992.0)));
        Assert.Equal([1], await IdsAsync(c, F.Gt("v", 9_007_199_254_740_992.0)));
        // The double 0.1 is 0.1000000000000000055…, above the decimal 0.1.
        Assert.Equal([3], await IdsAsync(c, F.Lt("v", 0.1)));
        Assert.Equal([4], await IdsAsync(c, F.And(F.Gt("v", Decimal128.Parse("0.1")), F.Lt("v", 1))));
        Assert.Equal([3, 4, 2, 1], await IdsAsync(c, F.Empty, S.Ascending("v")));
    }

    [Fact]
    public async Task An_empty_array_sorts_below_null_and_missing()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", 1 } },
            new BsonDocument { { "_id", 2 }, { "v", BsonNull.Value } },
            new BsonDocument { { "_id", 3 }, { "v", new BsonArray() } },
            new BsonDocument("_id", 4),
            new BsonDocument { { "_id", 5 }, { "v", new BsonArray { 7, 0 } } });

        Assert.Equal([3, 2, 4, 5, 1], await IdsAsync(c, F.Empty, S.Ascending("v").Ascending("_id")));
        // Descending, an array sorts by its largest element; the empty array still sorts last.
        Assert.Equal([5, 1, 2, 4, 3], await IdsAsync(c, F.Empty, S.Descending("v").Ascending("_id")));
    }

    [Fact]
    public async Task A_find_without_sort_returns_natural_order_not_id_order()
    {
        var c = await SeedAsync(
            new BsonDocument("_id", 3),
            new BsonDocument("_id", 1),
            new BsonDocument("_id", 2));
        await c.UpdateOneAsync(F.Eq("_id", 3), Builders<BsonDocument>.Update.Set("touched", true));

        var natural = await c.Find(F.Empty).ToListAsync();

        // Insertion order, kept by updates: a missing sort in a sync tool shows up in its tests.
        Assert.Equal([3, 1, 2], natural.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task The_id_is_stored_first_whatever_order_the_client_sent()
    {
        var c = await SeedAsync(new BsonDocument { { "a", 1 }, { "_id", 9 }, { "b", 2 } });

        var stored = await c.Find(F.Empty).SingleAsync();

        Assert.Equal(["_id", "a", "b"], stored.Names);
    }

    [Fact]
    public async Task A_collation_is_honoured_or_refused_never_ignored()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "s", "PING" } },
            new BsonDocument { { "_id", 2 }, { "s", "ping" } });
        var caseInsensitive = new FindOptions { Collation = new Collation("en", strength: CollationStrength.Secondary) };

        try
        {
            var found = await c.Find(F.Eq("s", "ping"), caseInsensitive).ToListAsync();
            Assert.Equal(2, found.Count);
        }
        catch (MongoCommandException e)
        {
            Assert.Equal("NotImplemented", e.CodeName);
        }
    }

    [Fact]
    public async Task ArrayFilters_are_applied_or_refused_never_ignored()
    {
        var c = await SeedAsync(new BsonDocument { { "_id", 1 }, { "y", new BsonArray { new BsonDocument("b", 3), new BsonDocument("b", 1) } } });
        var update = new BsonDocumentUpdateDefinition<BsonDocument>(new BsonDocument("$set", new BsonDocument("y.$[i].b", 2)));
        var options = new UpdateOptions { ArrayFilters = [new BsonDocumentArrayFilterDefinition<BsonDocument>(new BsonDocument("i.b", 3))] };

        try
        {
            await c.UpdateOneAsync(F.Eq("_id", 1), update, options);
            var y = (await c.Find(F.Empty).SingleAsync())["y"].AsBsonArray;
            Assert.Equal([2, 1], y.Select(e => e["b"].AsInt32));
        }
        catch (MongoCommandException e) when (e.CodeName == "NotImplemented")
        {
            // Refused: nothing changed.
            Assert.Equal(3, (await c.Find(F.Empty).SingleAsync())["y"][0]["b"].AsInt32);
        }
    }

    [Fact]
    public async Task Unknown_command_fields_are_refused_as_mongod_refuses_them()
    {
        var db = fixture.Client.GetDatabase(fixture.NewDatabaseName());

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            db.RunCommandAsync<BsonDocument>(new BsonDocument { { "find", "c" }, { "zenithNoSuchOption", 1 } }));

        Assert.Equal(40415, error.Code);
    }
}
