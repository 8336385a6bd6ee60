using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

[Collection(MongoServerCollection.Name)]
public sealed class FindTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(params BsonDocument[] documents)
    {
        var collection = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(documents);
        return collection;
    }

    private static async Task<List<int>> IdsAsync(IMongoCollection<BsonDocument> collection, FilterDefinition<BsonDocument> filter) =>
        [.. (await collection.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync()).Select(d => d["_id"].AsInt32)];

    [Fact]
    public async Task Numbers_compare_by_value_across_int_long_double_and_decimal()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", 1 } },
            new BsonDocument { { "_id", 2 }, { "v", 2L } },
            new BsonDocument { { "_id", 3 }, { "v", 2.5 } },
            new BsonDocument { { "_id", 4 }, { "v", new Decimal128(3) } },
            new BsonDocument { { "_id", 5 }, { "v", "3" } });

        Assert.Equal([2, 3, 4], await IdsAsync(c, F.Gt("v", 1.5)));
        Assert.Equal([2], await IdsAsync(c, F.Eq("v", 2.0)));
        Assert.Equal([1, 2], await IdsAsync(c, F.Lte("v", new Decimal128(2))));
        Assert.Equal([1, 4], await IdsAsync(c, F.In("v", new BsonValue[] { 1L, 3.0 })));
        // Type bracketing: a numeric bound never matches the string "3".
        Assert.Equal([5], await IdsAsync(c, F.Gte("v", "0")));
    }

    [Fact]
    public async Task Sorting_mixed_types_follows_MongoDB_type_order()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "v", true } },
            new BsonDocument { { "_id", 2 }, { "v", "text" } },
            new BsonDocument { { "_id", 3 }, { "v", 10 } },
            new BsonDocument { { "_id", 4 }, { "v", BsonNull.Value } },
            new BsonDocument { { "_id", 5 }, { "v", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) } },
            new BsonDocument { { "_id", 6 }, { "v", ObjectId.Parse("65a000000000000000000000") } },
            new BsonDocument { { "_id", 7 }, { "v", new BsonDocument("a", 1) } },
            new BsonDocument { { "_id", 8 }, { "v", 2.5 } },
            new BsonDocument("_id", 9));

        var ascending = await c.Find(F.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("v").Ascending("_id")).ToListAsync();

        // null and missing, numbers, strings, objects, ObjectId, booleans, dates.
        Assert.Equal([4, 9, 8, 3, 2, 7, 6, 1, 5], ascending.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Operators_ne_nin_exists_and_or_and_implicit_equality()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "k", "a" }, { "n", 1 } },
            new BsonDocument { { "_id", 2 }, { "k", "b" }, { "n", 2 } },
            new BsonDocument { { "_id", 3 }, { "k", "c" } },
            new BsonDocument { { "_id", 4 }, { "k", BsonNull.Value }, { "n", 4 } });

        Assert.Equal([2, 3, 4], await IdsAsync(c, F.Ne("k", "a")));
        Assert.Equal([3, 4], await IdsAsync(c, F.Nin("k", new[] { "a", "b" })));
        Assert.Equal([1, 2, 4], await IdsAsync(c, F.Exists("n")));
        Assert.Equal([3], await IdsAsync(c, F.Exists("n", false)));
        Assert.Equal([2], await IdsAsync(c, F.And(F.Gte("n", 2), F.Lt("n", 4))));
        Assert.Equal([1, 3], await IdsAsync(c, F.Or(F.Eq("k", "a"), F.Eq("k", "c"))));
        Assert.Equal([2], await IdsAsync(c, new BsonDocument { { "k", "b" }, { "n", 2 } }));
        Assert.Equal([3, 4], await IdsAsync(c, F.Eq("k", BsonNull.Value) | F.Eq("n", BsonNull.Value)));
    }

    [Fact]
    public async Task Dotted_paths_reach_into_subdocuments_and_arrays()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "a", new BsonDocument("b", new BsonDocument("c", 5)) } },
            new BsonDocument { { "_id", 2 }, { "a", new BsonDocument("b", new BsonDocument("c", 7)) } },
            new BsonDocument { { "_id", 3 }, { "tags", new BsonArray { "x", "y" } } },
            new BsonDocument { { "_id", 4 }, { "items", new BsonArray { new BsonDocument("q", 1), new BsonDocument("q", 9) } } });

        Assert.Equal([2], await IdsAsync(c, F.Gt("a.b.c", 6)));
        Assert.Equal([3], await IdsAsync(c, F.Eq("tags", "y")));
        Assert.Equal([3], await IdsAsync(c, F.Eq("tags", new BsonArray { "x", "y" })));
        Assert.Equal([4], await IdsAsync(c, F.Gt("items.q", 5)));
        Assert.Equal([4], await IdsAsync(c, F.Eq("items.1.q", 9)));
    }

    [Fact]
    public async Task Sorts_on_several_fields_in_both_directions()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "g", "b" }, { "t", 1 } },
            new BsonDocument { { "_id", 2 }, { "g", "a" }, { "t", 2 } },
            new BsonDocument { { "_id", 3 }, { "g", "b" }, { "t", 3 } },
            new BsonDocument { { "_id", 4 }, { "g", "a" }, { "t", 1 } });

        var sorted = await c.Find(F.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("g").Descending("t")).ToListAsync();
        var byIdDescending = await c.Find(F.Gt("_id", 1)).Sort(Builders<BsonDocument>.Sort.Descending("_id")).ToListAsync();

        Assert.Equal([2, 4, 3, 1], sorted.Select(d => d["_id"].AsInt32));
        Assert.Equal([4, 3, 2], byIdDescending.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Keyset_paging_as_the_sync_engine_sends_it()
    {
        var docs = Enumerable.Range(1, 50).Select(i => new BsonDocument { { "_id", i }, { "updated_at", i % 7 } }).ToArray();
        var c = await SeedAsync(docs);
        var seen = new List<int>();
        BsonValue? t = null, id = null;
        while (true)
        {
            var filter = t is null ? F.Empty : F.Or(F.Gt("updated_at", t), F.And(F.Eq("updated_at", t), F.Gt("_id", id)));
            var page = await c.Find(filter).Sort(Builders<BsonDocument>.Sort.Ascending("updated_at").Ascending("_id")).Limit(8).ToListAsync();
            if (page.Count == 0)
            {
                break;
            }
            seen.AddRange(page.Select(d => d["_id"].AsInt32));
            (t, id) = (page[^1]["updated_at"], page[^1]["_id"]);
        }

        var expected = docs.OrderBy(d => d["updated_at"].AsInt32).ThenBy(d => d["_id"].AsInt32).Select(d => d["_id"].AsInt32);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_sorted_query_sees_writes_made_after_an_earlier_one()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "t", 30 } },
            new BsonDocument { { "_id", 2 }, { "t", 10 } },
            new BsonDocument { { "_id", 3 }, { "t", 20 } });
        var byT = Builders<BsonDocument>.Sort.Ascending("t").Ascending("_id");

        var before = await c.Find(F.Gte("t", 15)).Sort(byT).ToListAsync();
        await c.UpdateOneAsync(F.Eq("_id", 2), Builders<BsonDocument>.Update.Set("t", 25));
        await c.InsertOneAsync(new BsonDocument { { "_id", 4 }, { "t", 16 } });
        var after = await c.Find(F.Gte("t", 15)).Sort(byT).ToListAsync();

        Assert.Equal([3, 1], before.Select(d => d["_id"].AsInt32));
        Assert.Equal([4, 3, 2, 1], after.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task A_range_on_the_sort_field_still_matches_arrays_whose_least_element_is_below_it()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "t", new BsonArray { 1, 10 } } },
            new BsonDocument { { "_id", 2 }, { "t", 7 } },
            new BsonDocument { { "_id", 3 }, { "t", 3 } });

        var found = await c.Find(F.Gt("t", 5)).Sort(Builders<BsonDocument>.Sort.Ascending("t")).ToListAsync();

        // [1, 10] sorts by its least element (1) yet matches $gt 5 through 10.
        Assert.Equal([1, 2], found.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task Projection_includes_or_excludes_fields_and_id()
    {
        var c = await SeedAsync(new BsonDocument { { "_id", 1 }, { "a", 1 }, { "b", new BsonDocument { { "x", 1 }, { "y", 2 } } }, { "c", 3 } });

        var included = await c.Find(F.Empty).Project(new BsonDocument { { "a", 1 }, { "b.y", 1 } }).SingleAsync();
        var withoutId = await c.Find(F.Empty).Project(new BsonDocument { { "a", 1 }, { "_id", 0 } }).SingleAsync();
        var excluded = await c.Find(F.Empty).Project(new BsonDocument { { "b", 0 }, { "c", 0 } }).SingleAsync();

        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", 1 }, { "b", new BsonDocument("y", 2) } }, included);
        Assert.Equal(new BsonDocument("a", 1), withoutId);
        Assert.Equal(new BsonDocument { { "_id", 1 }, { "a", 1 } }, excluded);
    }

    [Fact]
    public async Task Top_level_projections_keep_whole_values_in_document_order_with_id_first()
    {
        var nested = new BsonDocument { { "x", new BsonArray { 1, new BsonDocument("y", "z") } }, { "when", new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc) } };
        var c = await SeedAsync(new BsonDocument { { "k", "first" }, { "_id", 7 }, { "n", nested }, { "s", "text" }, { "d", 1.5 } });

        var included = await c.Find(F.Empty).Project(new BsonDocument { { "d", 1 }, { "n", 1 }, { "missing", 1 } }).SingleAsync();
        var excluded = await c.Find(F.Empty).Project(new BsonDocument { { "n", 0 }, { "_id", 0 } }).SingleAsync();
        var idOnly = await c.Find(F.Empty).Project(new BsonDocument { { "_id", 1 }, { "k", true } }).SingleAsync();

        Assert.Equal(new BsonDocument { { "_id", 7 }, { "n", nested }, { "d", 1.5 } }, included);
        Assert.Equal(["_id", "n", "d"], included.Names);
        Assert.Equal(new BsonDocument { { "k", "first" }, { "s", "text" }, { "d", 1.5 } }, excluded);
        Assert.Equal(["_id", "k"], idOnly.Names);
    }

    [Fact]
    public async Task Regex_and_elemMatch_filters()
    {
        var c = await SeedAsync(
            new BsonDocument { { "_id", 1 }, { "name", "alpha" }, { "xs", new BsonArray { new BsonDocument { { "a", 1 }, { "b", 2 } } } } },
            new BsonDocument { { "_id", 2 }, { "name", "beta" }, { "xs", new BsonArray { new BsonDocument("a", 1), new BsonDocument("b", 2) } } });

        Assert.Equal([1], await IdsAsync(c, F.Regex("name", new BsonRegularExpression("^al"))));
        Assert.Equal([1], await IdsAsync(c, F.ElemMatch<BsonValue>("xs", new BsonDocument { { "a", 1 }, { "b", 2 } })));
    }

    [Fact]
    public async Task Unknown_query_operator_is_a_bad_value_error()
    {
        var c = await SeedAsync(new BsonDocument("_id", 1));

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => c.Find(new BsonDocument("a", new BsonDocument("$bogus", 1))).ToListAsync());

        Assert.Equal(2, error.Code);
    }
}
