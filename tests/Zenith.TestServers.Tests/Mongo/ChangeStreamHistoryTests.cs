using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;
using static Zenith.TestServers.Tests.Mongo.ChangeStreamReader;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// What depends on how the server is started — the oplog's size (mongod's --oplogSize) and the periodic
/// no-op writer's interval — so each test starts a test server of its own configured that way. A
/// real mongod cannot be reconfigured by a test, so these always use the test server.
/// </summary>
public sealed class ChangeStreamHistoryTests
{
    private static async Task<(MongoTestServer Server, MongoClient Client)> StartAsync(MongoTestServerOptions options)
    {
        var server = MongoTestServer.Start(options: options);
        var client = new MongoClient(server.ConnectionString);
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        return (server, client);
    }

    [Fact]
    public async Task A_resume_point_that_fell_off_the_oplog_is_ChangeStreamHistoryLost()
    {
        var (server, client) = await StartAsync(new MongoTestServerOptions { OplogSizeBytes = 64 * 1024 });
        await using var _ = server;
        using var __ = client;
        var c = client.GetDatabase("history").GetCollection<BsonDocument>("c");
        using var stream = await c.WatchAsync();
        await c.InsertOneAsync(new BsonDocument("_id", 0));
        var first = await OneAsync(stream);

        // About 200 KB of writes through a 64 KB oplog: the first event's entry is gone.
        await c.InsertManyAsync(Enumerable.Range(1, 200).Select(i => new BsonDocument { { "_id", i }, { "pad", new string('x', 1000) } }));
        var resume = await Assert.ThrowsAsync<MongoCommandException>(() => c.WatchAsync(new ChangeStreamOptions { ResumeAfter = first.ResumeToken }));
        var startAt = await Assert.ThrowsAsync<MongoCommandException>(() => c.WatchAsync(new ChangeStreamOptions { StartAtOperationTime = first.ClusterTime }));
        var behind = await Assert.ThrowsAsync<MongoCommandException>(() => NextAsync(stream, 1));

        Assert.Equal(286, resume.Code);
        Assert.Equal("ChangeStreamHistoryLost", resume.CodeName);
        Assert.Equal(286, startAt.Code);
        Assert.Equal(286, behind.Code);
    }

    [Fact]
    public async Task On_an_idle_server_the_periodic_noop_moves_the_resume_token_on()
    {
        var (server, client) = await StartAsync(new MongoTestServerOptions { PeriodicNoopInterval = TimeSpan.FromMilliseconds(200) });
        await using var _ = server;
        using var __ = client;
        var c = client.GetDatabase("idle").GetCollection<BsonDocument>("c");
        using var stream = await c.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromSeconds(2) });
        var start = stream.GetResumeToken();

        BsonDocument? later = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (later is null && await stream.MoveNextAsync(deadline.Token))
        {
            var token = stream.GetResumeToken();
            later = token.Equals(start) ? null : token;
        }

        Assert.Empty(stream.Current);
        Assert.NotNull(later);
        Assert.True(string.CompareOrdinal(later["_data"].AsString, start["_data"].AsString) > 0);
    }
}
