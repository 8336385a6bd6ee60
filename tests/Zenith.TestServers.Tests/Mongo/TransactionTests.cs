using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>Multi-document transactions and retryable writes, with the guarantees MongoDB documents.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class TransactionTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private IMongoDatabase NewDatabase() => fixture.Client.GetDatabase(fixture.NewDatabaseName());

    private static async Task<List<int>> IdsAsync(IMongoCollection<BsonDocument> c, IClientSessionHandle? session = null) =>
        [.. (session is null ? c.Find(F.Empty) : c.Find(session, F.Empty)).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToList().Select(d => d["_id"].AsInt32)];

    [Fact]
    public async Task Writes_become_visible_together_at_commit()
    {
        var db = NewDatabase();
        var orders = db.GetCollection<BsonDocument>("orders");
        var stock = db.GetCollection<BsonDocument>("stock");
        await orders.InsertOneAsync(new BsonDocument("_id", 0));
        await stock.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "qty", 10 } });
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        await orders.InsertOneAsync(session, new BsonDocument("_id", 1));
        await stock.UpdateOneAsync(session, F.Eq("_id", 1), Builders<BsonDocument>.Update.Inc("qty", -1));
        var insideOrders = await IdsAsync(orders, session);
        var outsideOrders = await IdsAsync(orders);
        var outsideQty = (await stock.Find(F.Empty).SingleAsync())["qty"].AsInt32;
        await session.CommitTransactionAsync();

        Assert.Equal([0, 1], insideOrders);
        Assert.Equal([0], outsideOrders);
        Assert.Equal(10, outsideQty);
        Assert.Equal([0, 1], await IdsAsync(orders));
        Assert.Equal(9, (await stock.Find(F.Empty).SingleAsync())["qty"].AsInt32);
    }

    [Fact]
    public async Task An_aborted_transaction_leaves_nothing_behind()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", 1 } });
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        await c.InsertOneAsync(session, new BsonDocument("_id", 2));
        await c.DeleteOneAsync(session, F.Eq("_id", 1));
        await session.AbortTransactionAsync();

        Assert.Equal([1], await IdsAsync(c));
    }

    [Fact]
    public async Task A_transaction_reads_its_snapshot_not_later_commits()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "old" } });
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        var first = await c.Find(session, F.Eq("_id", 1)).SingleAsync();
        await c.UpdateOneAsync(F.Eq("_id", 1), Builders<BsonDocument>.Update.Set("v", "new"));
        await c.InsertOneAsync(new BsonDocument("_id", 2));
        var again = await c.Find(session, F.Empty).ToListAsync();
        await session.CommitTransactionAsync();

        Assert.Equal("old", first["v"].AsString);
        Assert.Equal("old", Assert.Single(again)["v"].AsString);
    }

    [Fact]
    public async Task Two_transactions_writing_one_document_conflict()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", 0 } });
        using var first = await fixture.Client.StartSessionAsync();
        using var second = await fixture.Client.StartSessionAsync();

        first.StartTransaction();
        second.StartTransaction();
        await c.UpdateOneAsync(first, F.Eq("_id", 1), Builders<BsonDocument>.Update.Set("v", 1));
        var conflict = await Assert.ThrowsAsync<MongoCommandException>(() => c.UpdateOneAsync(second, F.Eq("_id", 1), Builders<BsonDocument>.Update.Set("v", 2)));
        await first.CommitTransactionAsync();
        var afterConflict = await Assert.ThrowsAnyAsync<MongoException>(() => second.CommitTransactionAsync());

        Assert.Equal(112, conflict.Code);
        Assert.True(conflict.HasErrorLabel("TransientTransactionError"));
        Assert.True(afterConflict.HasErrorLabel("TransientTransactionError"));
        Assert.Equal(1, (await c.Find(F.Empty).SingleAsync())["v"].AsInt32);
    }

    [Fact]
    public async Task A_write_outside_a_transaction_waits_for_the_transaction_holding_its_document()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } });
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        await c.UpdateOneAsync(session, F.Eq("_id", 1), Builders<BsonDocument>.Update.Inc("n", 10));
        var outside = c.UpdateOneAsync(F.Eq("_id", 1), Builders<BsonDocument>.Update.Inc("n", 1));
        await session.CommitTransactionAsync();
        await outside;

        // 11, not 10 or 1: the outside $inc waited for the commit and applied on top of it, and nothing was lost.
        Assert.Equal(11, (await c.Find(F.Empty).SingleAsync())["n"].AsInt32);
    }

    [Fact]
    public async Task A_retried_write_with_the_same_txnNumber_is_answered_without_writing_twice()
    {
        // A client of its own (its own session pool): the txnNumbers sent by hand must not reach sessions other tests reuse.
        var settings = MongoClientSettings.FromConnectionString(fixture.ConnectionString);
        settings.ApplicationName = "retry-" + Guid.NewGuid().ToString("N");
        using var client = new MongoClient(settings);
        var db = client.GetDatabase(fixture.NewDatabaseName());
        using var session = await client.StartSessionAsync();
        var insert = new BsonDocument
        {
            { "insert", "c" },
            { "documents", new BsonArray { new BsonDocument("_id", 1) } },
            { "txnNumber", 1_000_007L },
        };

        var first = await db.RunCommandAsync<BsonDocument>(session, insert);
        var retry = await db.RunCommandAsync<BsonDocument>(session, insert);
        var older = await Assert.ThrowsAsync<MongoCommandException>(() =>
            db.RunCommandAsync<BsonDocument>(session, new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument("_id", 2) } }, { "txnNumber", 1_000_006L } }));

        Assert.Equal(1, first["n"].ToInt32());
        Assert.Equal(1, retry["n"].ToInt32());
        Assert.False(retry.Contains("writeErrors"));
        Assert.Equal(225, older.Code);
        Assert.Equal(1, await db.GetCollection<BsonDocument>("c").CountDocumentsAsync(F.Empty));
    }

    [Fact]
    public async Task Commands_a_transaction_cannot_run_are_refused()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            c.Database.RunCommandAsync<BsonDocument>(session, new BsonDocument("count", "c")));
        await session.AbortTransactionAsync();

        Assert.Equal(263, error.Code);
    }
}
