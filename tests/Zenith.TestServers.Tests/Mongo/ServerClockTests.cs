using Microsoft.Extensions.Time.Testing;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// What the server's own clock decides (idle cursors, transaction lifetime, $currentDate), run on a test server whose
/// clock the test moves, so nothing waits for real minutes. A real mongod's clock cannot be moved, so
/// these always use the test server.
/// </summary>
public sealed class ServerClockTests
{
    [Fact]
    public async Task A_cursor_idle_past_cursorTimeoutMillis_is_closed_unless_opened_with_noCursorTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = MongoTestServer.Start(options: new MongoTestServerOptions { TimeProvider = clock });
        using var client = new MongoClient(server.ConnectionString);
        var c = client.GetDatabase("cursors").GetCollection<BsonDocument>("c");
        await c.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument("_id", i)));
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument { { "setParameter", 1 }, { "cursorTimeoutMillis", 1000 } });
        using var expiring = await c.FindAsync(FilterDefinition<BsonDocument>.Empty, new FindOptions<BsonDocument> { BatchSize = 2 });
        using var kept = await c.FindAsync(FilterDefinition<BsonDocument>.Empty, new FindOptions<BsonDocument> { BatchSize = 2, NoCursorTimeout = true });
        Assert.True(await expiring.MoveNextAsync());
        Assert.True(await kept.MoveNextAsync());

        clock.Advance(TimeSpan.FromSeconds(3));

        // The driver raises CursorNotFound (43) as MongoCursorNotFoundException.
        await Assert.ThrowsAsync<MongoCursorNotFoundException>(() => expiring.MoveNextAsync());
        Assert.True(await kept.MoveNextAsync());
    }

    [Fact]
    public async Task A_transaction_open_past_its_lifetime_is_aborted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = MongoTestServer.Start(options: new MongoTestServerOptions { TimeProvider = clock });
        using var client = new MongoClient(server.ConnectionString);
        var c = client.GetDatabase("lifetime").GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 0));
        using var session = await client.StartSessionAsync();
        session.StartTransaction();
        await c.InsertOneAsync(session, new BsonDocument("_id", 1));

        clock.Advance(TimeSpan.FromSeconds(61));

        var aborted = await Assert.ThrowsAsync<MongoCommandException>(() => session.CommitTransactionAsync());
        Assert.Equal(251, aborted.Code);
        Assert.Equal(1, await c.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task CurrentDate_writes_the_server_s_time_as_a_date_or_a_timestamp()
    {
        var at = new DateTimeOffset(2031, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        var clock = new FakeTimeProvider(at);
        await using var server = MongoTestServer.Start(options: new MongoTestServerOptions { TimeProvider = clock });
        using var client = new MongoClient(server.ConnectionString);
        var c = client.GetDatabase("dates").GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));

        await c.UpdateOneAsync(new BsonDocument("_id", 1), new BsonDocument("$currentDate", new BsonDocument
        {
            { "date", true },
            { "ts", new BsonDocument("$type", "timestamp") },
        }));

        var doc = await c.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(new BsonDateTime(at.UtcDateTime), doc["date"]);
        Assert.Equal(at.ToUnixTimeSeconds(), doc["ts"].AsBsonTimestamp.Timestamp);
    }
}
