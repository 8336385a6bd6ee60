using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>
/// mongod's test hooks as drivers' own tests use them: the failCommand fail point, maxTimeMS, and server
/// parameters. Each fail point names this test's client (appName), so no other client is affected.
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class FailPointTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private (MongoClient Client, string AppName) NewClient(Action<MongoClientSettings>? configure = null)
    {
        var settings = MongoClientSettings.FromConnectionString(fixture.ConnectionString);
        settings.ApplicationName = "failpoint-" + Guid.NewGuid().ToString("N")[..12];
        configure?.Invoke(settings);
        return (new MongoClient(settings), settings.ApplicationName);
    }

    private Task<BsonDocument> FailCommandAsync(BsonValue mode, BsonDocument data) =>
        fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", mode },
            { "data", data },
        });

    private Task TurnOffAsync() => FailCommandAsync("off", []);

    [Fact]
    public async Task FailCommand_fails_the_named_command_the_given_number_of_times_with_the_given_labels()
    {
        var (client, app) = NewClient(s => s.RetryReads = false);
        using var _ = client;
        var c = client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        try
        {
            await FailCommandAsync(new BsonDocument("times", 1), new BsonDocument
            {
                { "failCommands", new BsonArray { "find" } },
                { "errorCode", 91 },
                { "errorLabels", new BsonArray { "MyLabel" } },
                { "appName", app },
            });

            var failed = await Assert.ThrowsAnyAsync<MongoException>(() => c.Find(F.Empty).ToListAsync());
            var next = await c.Find(F.Empty).ToListAsync();

            Assert.True(failed is MongoCommandException { Code: 91 } || failed.InnerException is MongoCommandException { Code: 91 }, failed.ToString());
            Assert.True(failed.HasErrorLabel("MyLabel"));
            Assert.Single(next);
        }
        finally
        {
            await TurnOffAsync();
        }
    }

    [Fact]
    public async Task A_closed_connection_on_insert_is_retried_and_writes_the_document_once()
    {
        var (client, app) = NewClient();
        using var _ = client;
        var c = client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        try
        {
            await FailCommandAsync(new BsonDocument("times", 1), new BsonDocument
            {
                { "failCommands", new BsonArray { "insert" } },
                { "closeConnection", true },
                { "appName", app },
            });

            await c.InsertOneAsync(new BsonDocument("_id", 1));

            Assert.Equal(1, await c.CountDocumentsAsync(F.Empty));
        }
        finally
        {
            await TurnOffAsync();
        }
    }

    [Fact]
    public async Task BlockConnection_holds_the_reply_past_the_client_s_socket_timeout()
    {
        var (client, app) = NewClient(s =>
        {
            s.SocketTimeout = TimeSpan.FromMilliseconds(300);
            s.RetryReads = false;
        });
        using var _ = client;
        var c = client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        try
        {
            await FailCommandAsync(new BsonDocument("times", 1), new BsonDocument
            {
                { "failCommands", new BsonArray { "find" } },
                { "blockConnection", true },
                { "blockTimeMS", 3000 },
                { "appName", app },
            });

            await Assert.ThrowsAnyAsync<MongoException>(() => c.Find(F.Empty).ToListAsync());
        }
        finally
        {
            await TurnOffAsync();
        }
    }

    [Fact]
    public async Task MaxTimeMS_ends_a_write_waiting_for_a_transaction_with_MaxTimeMSExpired()
    {
        var c = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } });
        using var session = await fixture.Client.StartSessionAsync();
        session.StartTransaction();
        await c.UpdateOneAsync(session, F.Eq("_id", 1), Builders<BsonDocument>.Update.Inc("n", 1));

        // The driver raises MaxTimeMSExpired (50) as MongoExecutionTimeoutException.
        var expired = await Assert.ThrowsAsync<MongoExecutionTimeoutException>(() => c.Database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "update", "c" },
            { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument("_id", 1) }, { "u", new BsonDocument("$inc", new BsonDocument("n", 10)) } } } },
            { "maxTimeMS", 200 },
        }));
        await session.CommitTransactionAsync();

        Assert.Equal(50, expired.Code);
        Assert.Equal(1, (await c.Find(F.Empty).SingleAsync())["n"].AsInt32);
    }

    [Fact]
    public async Task GetParameter_and_setParameter_read_and_change_cursorTimeoutMillis()
    {
        var admin = fixture.Client.GetDatabase("admin");
        var before = await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "getParameter", 1 }, { "cursorTimeoutMillis", 1 } });
        var set = await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "setParameter", 1 }, { "cursorTimeoutMillis", before["cursorTimeoutMillis"].ToInt64() } });
        var unknown = await Assert.ThrowsAsync<MongoCommandException>(() =>
            admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "setParameter", 1 }, { "zenithNoSuchParameter", 1 } }));

        Assert.True(before["cursorTimeoutMillis"].ToInt64() > 0);
        Assert.Equal(before["cursorTimeoutMillis"].ToInt64(), set["was"].ToInt64());
        Assert.Equal(72, unknown.Code);
    }
}
