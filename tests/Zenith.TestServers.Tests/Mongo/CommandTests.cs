using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

[Collection(MongoServerCollection.Name)]
public sealed class CommandTests(MongoFixture fixture)
{
    private IMongoDatabase NewDatabase() => fixture.Client.GetDatabase(fixture.NewDatabaseName());

    [Fact]
    public async Task Ping_and_buildInfo_answer_ok()
    {
        var admin = fixture.Client.GetDatabase("admin");
        var ping = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        var buildInfo = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1));

        Assert.Equal(1.0, ping["ok"].ToDouble());
        Assert.Matches(@"^\d+\.\d+", buildInfo["version"].AsString);
    }

    [Fact]
    public async Task Hello_reports_limits_drivers_rely_on()
    {
        var hello = await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));

        Assert.True(hello["isWritablePrimary"].AsBoolean);
        Assert.Equal(16 * 1024 * 1024, hello["maxBsonObjectSize"].ToInt32());
        Assert.Equal(48_000_000, hello["maxMessageSizeBytes"].ToInt32());
        Assert.Equal(100_000, hello["maxWriteBatchSize"].ToInt32());
        Assert.True(hello["maxWireVersion"].ToInt32() >= 17);
        Assert.True(hello.Contains("logicalSessionTimeoutMinutes"));
    }

    [Fact]
    public async Task Unknown_command_fails_with_CommandNotFound()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            NewDatabase().RunCommandAsync<BsonDocument>(new BsonDocument("noSuchCommandZenith", 1)));

        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
    }

    [Fact]
    public async Task Create_list_and_drop_collections()
    {
        var db = NewDatabase();
        await db.CreateCollectionAsync("alpha");
        await db.CreateCollectionAsync("beta");
        var duplicate = await Assert.ThrowsAsync<MongoCommandException>(() => db.CreateCollectionAsync("alpha"));

        var all = await (await db.ListCollectionNamesAsync()).ToListAsync();
        var filtered = await (await db.ListCollectionNamesAsync(new ListCollectionNamesOptions { Filter = new BsonDocument("name", "beta") })).ToListAsync();
        await db.DropCollectionAsync("alpha");
        var afterDrop = await (await db.ListCollectionNamesAsync()).ToListAsync();

        Assert.Equal(48, duplicate.Code);
        Assert.Equal(["alpha", "beta"], all.Order());
        Assert.Equal(["beta"], filtered);
        Assert.Equal(["beta"], afterDrop);
    }

    [Fact]
    public async Task ListDatabases_shows_a_database_until_it_is_dropped()
    {
        var name = fixture.NewDatabaseName();
        var db = fixture.Client.GetDatabase(name);
        await db.GetCollection<BsonDocument>("c").InsertOneAsync(new BsonDocument("x", 1));

        var before = await (await fixture.Client.ListDatabaseNamesAsync()).ToListAsync();
        await fixture.Client.DropDatabaseAsync(name);
        var after = await (await fixture.Client.ListDatabaseNamesAsync()).ToListAsync();

        Assert.Contains(name, before);
        Assert.DoesNotContain(name, after);
    }

    [Fact]
    public async Task A_session_carries_through_commands()
    {
        var collection = NewDatabase().GetCollection<BsonDocument>("c");
        using var session = await fixture.Client.StartSessionAsync();

        await collection.InsertOneAsync(session, new BsonDocument("_id", 1));
        var found = await collection.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync();

        Assert.Single(found);
    }
}
