using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// An index changes how a query runs, never what it returns: over documents of mixed types, arrays,
/// nulls and missing fields, each filter and sort gives the same documents through every index as
/// through a collection scan (hint <c>$natural</c>).
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class IndexEquivalenceTests(MongoFixture fixture)
{
    private static readonly string[] Filters =
    [
        "{}",
        "{v: {$gt: 10}}",
        "{v: {$gte: 'm', $lt: 'z'}}",
        "{v: {$lte: 10.5}}",
        "{v: {$gt: 3, $lt: 40}}",
        "{v: {$in: [1, 'b', null, 7.0]}}",
        "{v: null}",
        "{v: {$ne: null}}",
        "{v: {$lt: MaxKey}}",
        "{v: {$gt: MinKey}}",
        "{v: {$exists: false}}",
        "{v: {$gt: ISODate('2026-01-01T00:00:30Z')}}",
        "{v: {$gte: ObjectId('65a000000000000000000010')}}",
        "{$or: [{v: {$gt: 20}}, {v: 20, _id: {$gt: 100}}]}",
        "{$or: [{v: null, _id: {$gt: 50}}, {v: {$gt: 'k'}}, {v: 'k', _id: {$gt: MinKey}}]}",
        "{$and: [{v: {$gte: 5}}, {$or: [{w: 1}, {v: {$lt: 8}}]}]}",
        "{'a.b': {$gte: 2}}",
        "{'a.b': {$in: [1, 3]}, v: {$exists: true}}",
        "{_id: {$gt: 150, $lte: 180}}",
    ];

    private static readonly string[] Sorts = ["{v: 1, _id: 1}", "{v: -1, _id: 1}", "{'a.b': 1, _id: -1}", "{_id: -1}"];

    private static readonly string[] Indexes = ["{v: 1}", "{v: -1, _id: 1}", "{'a.b': 1, v: 1}", "{v: 1, _id: 1}"];

    [Fact]
    public async Task Every_index_returns_what_a_collection_scan_returns()
    {
        var c = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        var random = new Random(20261201);
        await c.InsertManyAsync(Enumerable.Range(0, 240).Select(i => Document(i, random)));
        foreach (var index in Indexes)
        {
            await c.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(BsonDocument.Parse(index)));
        }
        var names = (await (await c.Indexes.ListAsync()).ToListAsync()).Select(i => i["name"].AsString).ToList();

        foreach (var filter in Filters)
        {
            foreach (var sort in Sorts)
            {
                var expected = await IdsAsync(c, filter, sort, new BsonDocument("$natural", 1));
                foreach (var name in names)
                {
                    Assert.True(expected.SequenceEqual(await IdsAsync(c, filter, sort, name)), $"filter {filter}, sort {sort}, hint {name}");
                }
                Assert.True(expected.SequenceEqual(await IdsAsync(c, filter, sort, null)), $"filter {filter}, sort {sort}, no hint");
            }
        }
    }

    private static async Task<List<BsonValue>> IdsAsync(IMongoCollection<BsonDocument> c, string filter, string sort, BsonValue? hint)
    {
        var options = new FindOptions<BsonDocument> { Sort = BsonDocument.Parse(sort), BatchSize = 7, Hint = hint };
        using var cursor = await c.FindAsync(BsonDocument.Parse(filter), options);
        var ids = new List<BsonValue>();
        while (await cursor.MoveNextAsync())
        {
            ids.AddRange(cursor.Current.Select(d => d["_id"]));
        }
        return ids;
    }

    private static BsonDocument Document(int i, Random random)
    {
        var document = new BsonDocument("_id", i);
        BsonValue? v = random.Next(13) switch
        {
            0 => random.Next(50),
            1 => (long)random.Next(50),
            2 => random.Next(50) + 0.5,
            3 => new Decimal128(random.Next(50)),
            4 => ((char)('a' + random.Next(26))).ToString(),
            5 => BsonNull.Value,
            6 => null,
            7 => random.Next(2) == 0
                ? new BsonArray { random.Next(30), ((char)('a' + random.Next(26))).ToString() }
                : new BsonArray { random.Next(5), 30 + random.Next(20) },
            8 => new BsonArray(),
            9 => new BsonDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(60))),
            10 => ObjectId.Parse($"65a0000000000000000000{random.Next(32):x2}"),
            11 => random.Next(2) == 0,
            _ => new BsonDocument("x", random.Next(5)),
        };
        if (v is not null)
        {
            document["v"] = v;
        }
        if (random.Next(3) > 0)
        {
            // MongoDB cannot index two arrays in one compound key ({'a.b': 1, v: 1}), so only one of them may be an array.
            document["a"] = random.Next(4) == 0 && v is not BsonArray
                ? new BsonArray { new BsonDocument("b", random.Next(5)), new BsonDocument("c", 1) }
                : new BsonDocument("b", random.Next(5));
        }
        document["w"] = random.Next(3);
        return document;
    }
}
