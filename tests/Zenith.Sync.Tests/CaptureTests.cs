using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>
/// Issue 11, items 1–5: keys that become visible out of order, far-future values, a read that cannot see what changes during it,
/// mixed BSON types and dotted cursor fields. Each run's clock is the test's (<see cref="MovableClock"/>), so "later" needs no wait.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CaptureTests(Servers servers)
{
    private static readonly string[] Fields = ["n", "updated_at"];

    [Fact]
    public async Task An_objectid_made_in_the_same_second_by_another_server_and_committed_after_a_run_is_copied()
    {
        var clock = new MovableClock();
        var engine = new SyncEngine(new SyncEngineOptions { TimeProvider = clock });
        var connector = servers.NewConnector(SyncMode.IncrementalId) with { SettleSeconds = 3 };
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            var now = clock.GetUtcNow();
            await collection.InsertManyAsync(Enumerable.Range(0, 100).Select(i => new BsonDocument { { "_id", Keys.ObjectIdAt(now.AddMinutes(-1), 0x11, i) }, { "n", i } }));

            // Two application servers in one second: the one with the higher machine bytes commits first.
            await collection.InsertOneAsync(new BsonDocument { { "_id", Keys.ObjectIdAt(now, 0xEE, 1) }, { "n", 100 } });
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);
            await collection.InsertOneAsync(new BsonDocument { { "_id", Keys.ObjectIdAt(now, 0x11, 2) }, { "n", 101 } });

            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, ["n"]);

            // Once the second has settled, the next run reads both again, then nothing.
            clock.Move(TimeSpan.FromSeconds(10));
            Assert.Equal(2, (await engine.RunAsync(connector, store, new RecordingObserver(), default)).RowsRead);
            Assert.Equal(0, (await engine.RunAsync(connector, store, new RecordingObserver(), default)).RowsRead);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_timestamp_from_a_clock_two_seconds_behind_or_truncated_to_the_second_is_copied()
    {
        var clock = new MovableClock();
        var engine = new SyncEngine(new SyncEngineOptions { TimeProvider = clock });
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var second = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => Doc(i, now.AddMinutes(-1))));
            await collection.InsertOneAsync(Doc(50, now));
            await collection.InsertOneAsync(Doc(60, second));
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            // Committed after the run: a server whose clock is 2 s behind, and a write in the same (truncated) second with a lower _id.
            await collection.InsertOneAsync(Doc(51, now.AddSeconds(-2)));
            await collection.InsertOneAsync(Doc(55, second));
            var next = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(next.Outcome == SyncOutcome.Succeeded, next.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_document_dated_2099_is_copied_and_reported_but_later_updates_still_arrive()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            var now = DateTime.UtcNow;
            await collection.InsertManyAsync(Enumerable.Range(0, 20).Select(i => Doc(i, now.AddMinutes(-10).AddSeconds(i))));
            await collection.InsertOneAsync(Doc(20, new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
            var observer = new RecordingObserver();
            var first = await engine.RunAsync(connector, store, observer, default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            var warning = Assert.Single(first.Warnings!, w => w.Kind == SyncWarningKind.FarFutureValues);
            Assert.StartsWith("1 document(s) have updated_at after ", warning.Message, StringComparison.Ordinal);
            Assert.Contains(observer.Notes, n => n == warning.Message);

            await collection.UpdateOneAsync(new BsonDocument("_id", 3), new BsonDocument("$set", new BsonDocument { { "n", -3 }, { "updated_at", now.AddMinutes(-1) } }));
            await collection.InsertOneAsync(Doc(21, now.AddMinutes(-1)));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Without_the_index_the_run_says_which_to_create_and_a_document_written_during_its_read_is_not_skipped()
    {
        var clock = new MovableClock();
        var engine = new SyncEngine(new SyncEngineOptions { TimeProvider = clock });
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, batchSize: 10);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await collection.InsertManyAsync(Enumerable.Range(0, 100).Select(i => Doc(i, now.AddMinutes(-5))));
            // A server whose clock runs a second ahead wrote these just before the run.
            await collection.InsertManyAsync(Enumerable.Range(100, 10).Select(i => Doc(i, now.AddSeconds(1))));

            // Without an index MongoDB sorts in memory what it read: a document written meanwhile (dated before the ones ahead)
            // is not in this run's result, though keys after it are.
            var observer = new RecordingObserver { OnFirstCommit = () => collection.InsertOne(Doc(200, now.AddMilliseconds(300))) };
            var first = await engine.RunAsync(connector, store, observer, default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            var missing = Assert.Single(first.Warnings!, w => w.Kind == SyncWarningKind.MissingIndex);
            Assert.EndsWith("""createIndex({ "updated_at": 1, "_id": 1 })""", missing.Message, StringComparison.Ordinal);
            Assert.Contains(missing, await engine.CheckSourceAsync(connector, default));

            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);

            await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("updated_at").Ascending("_id")));
            Assert.Empty(await engine.CheckSourceAsync(connector, default));
            Assert.DoesNotContain((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Warnings!, w => w.Kind == SyncWarningKind.MissingIndex);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task New_ids_of_every_type_arrive_after_a_checkpoint_inside_another_type()
    {
        var clock = new MovableClock();
        var engine = new SyncEngine(new SyncEngineOptions { TimeProvider = clock });
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            var old = clock.GetUtcNow().AddHours(-1);
            await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", Keys.ObjectIdAt(old, 1, i) }, { "n", i } }));
            await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", $"s{i:000}" }, { "n", 100 + i } }));
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            clock.Move(TimeSpan.FromMinutes(1));
            await collection.InsertManyAsync(Enumerable.Range(50, 10).Select(i => new BsonDocument { { "_id", $"s{i:000}" }, { "n", 100 + i } }));
            await collection.InsertManyAsync(Enumerable.Range(50, 10).Select(i => new BsonDocument { { "_id", Keys.ObjectIdAt(old, 1, i) }, { "n", i } }));
            await collection.InsertManyAsync(Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", 1_000 + i }, { "n", 200 + i } }));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, ["n"]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task New_cursor_values_of_another_type_than_the_checkpoints_arrive()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            var at = DateTime.UtcNow.AddHours(-1);
            await collection.InsertManyAsync(Enumerable.Range(0, 30).Select(i => Doc(i, at.AddSeconds(i))));
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            // Another service writes the field as ISO text, a third as epoch seconds.
            await collection.InsertManyAsync(Enumerable.Range(30, 5).Select(i => new BsonDocument { { "_id", i }, { "n", i }, { "updated_at", at.AddSeconds(i).ToString("O") } }));
            await collection.InsertManyAsync(Enumerable.Range(35, 5).Select(i => new BsonDocument { { "_id", i }, { "n", i }, { "updated_at", 1_700_000_000L + i } }));
            await collection.InsertOneAsync(Doc(40, at.AddMinutes(30)));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            await TableAssert.EqualsSourceAsync(servers, connector, ["n"]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_dotted_cursor_field_resumes_where_it_was_and_id_as_a_timestamp_field_is_refused_clearly()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, cursorField: "meta.updated_at");
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            var at = DateTime.UtcNow.AddHours(-1);
            BsonDocument Nested(int i) => new() { { "_id", i }, { "n", i }, { "meta", new BsonDocument("updated_at", at.AddSeconds(i)) } };
            await collection.InsertManyAsync(Enumerable.Range(0, 1_000).Select(Nested));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(1_000, first.RowsWritten);

            await collection.InsertOneAsync(Nested(1_000));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(1, second.RowsRead);
            await TableAssert.EqualsSourceAsync(servers, connector, ["n"]);

            var byId = await engine.RunAsync(connector with { CursorField = "_id" }, store, new RecordingObserver(), default);
            Assert.Equal(SyncOutcome.Failed, byId.Outcome);
            Assert.Equal(SyncEngine.CursorFieldIsId, byId.Error);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    private static BsonDocument Doc(int i, DateTime updatedAt) => new() { { "_id", i }, { "n", i }, { "updated_at", updatedAt } };
}
