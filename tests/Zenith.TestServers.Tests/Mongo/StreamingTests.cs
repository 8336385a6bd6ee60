using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;
using Xunit.Abstractions;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

[Collection(MongoServerCollection.Name)]
public sealed class StreamingTests(MongoFixture fixture, ITestOutputHelper output)
{
    private const int Count = 1_000_000;

    [Fact]
    public async Task One_cursor_streams_a_million_documents_in_id_order()
    {
        var c = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("big");
        var insertClock = Stopwatch.StartNew();
        const int chunk = 100_000;
        for (var start = 0; start < Count; start += chunk)
        {
            await c.InsertManyAsync(Enumerable.Range(start, chunk).Select(i => new BsonDocument
            {
                { "_id", i },
                { "name", "user" + i },
                { "score", i % 1000 },
                { "updated_at", new BsonDateTime(1_700_000_000_000L + i) },
            }));
        }
        insertClock.Stop();

        var readClock = Stopwatch.StartNew();
        var seen = 0;
        var ordered = true;
        var previous = -1;
        using (var cursor = await c.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).ToCursorAsync())
        {
            while (await cursor.MoveNextAsync())
            {
                foreach (var doc in cursor.Current)
                {
                    var id = doc["_id"].AsInt32;
                    ordered &= id == previous + 1;
                    previous = id;
                    seen++;
                }
            }
        }
        readClock.Stop();

        // Figures for the record, never asserted: tests do not fail on timing.
        output.WriteLine($"insert: {Count / insertClock.Elapsed.TotalSeconds:N0} docs/s; stream: {Count / readClock.Elapsed.TotalSeconds:N0} docs/s");
        Assert.Equal(Count, seen);
        Assert.True(ordered, "documents came out of _id order");
        await c.Database.Client.DropDatabaseAsync(c.Database.DatabaseNamespace.DatabaseName);
    }
}
