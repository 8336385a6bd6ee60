using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>incremental_timestamp with documents whose cursor field is missing or null.</summary>
[Collection(ServersCollection.Name)]
public sealed class CursorTests(Servers servers)
{
    private static readonly string[] Fields = ["n", "updated_at"];
    private static readonly DateTime Epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static BsonDocument Doc(int i, BsonValue? updatedAt)
    {
        var doc = new BsonDocument { { "_id", i }, { "n", i } };
        if (updatedAt is not null)
        {
            doc["updated_at"] = updatedAt;
        }

        return doc;
    }

    [Fact]
    public async Task Documents_without_the_cursor_field_are_copied_first_and_new_ones_on_later_runs()
    {
        // Batches of 64 over 300 documents without a value: one batch holds both kinds. Their integer _ids carry no time: without
        // a settle window they settle at once (the window has tests of its own).
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, batchSize: 64) with { SettleSeconds = 0 };
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 1_000).Select(i => i switch
            {
                < 150 => Doc(i, null),
                < 300 => Doc(i, BsonNull.Value),
                _ => Doc(i, Epoch.AddSeconds(i / 10)),
            }));
            var first = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            Assert.Equal(1_000, first.RowsWritten);
            Assert.Equal("updated_at ≥ 2024-01-01 00:01:39.000Z, _id > 999; without updated_at: _id > 299", first.Checkpoint?.Display);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);

            // New documents without the field, new ones with it, and old ones that gain it or move on.
            await collection.InsertManyAsync(Enumerable.Range(1_000, 40).Select(i => Doc(i, i % 2 == 0 ? null : Epoch.AddDays(1))));
            await collection.UpdateOneAsync(new BsonDocument("_id", 5), new BsonDocument("$set", new BsonDocument("updated_at", Epoch.AddDays(2))));
            await collection.UpdateOneAsync(new BsonDocument("_id", 500), new BsonDocument("$set", new BsonDocument { { "updated_at", Epoch.AddDays(2) }, { "n", -500 } }));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(42, second.RowsRead);
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);

            var third = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.Equal(0, third.RowsRead);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_checkpoint_of_an_earlier_version_resumes_and_recovers_documents_without_the_field()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp, batchSize: 100);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 200).Select(i => Doc(i, i < 20 ? null : Epoch.AddSeconds(i))));
            // Earlier versions stored {v, _id} and never copied documents without the field.
            var old = new BsonDocument { { "v", new BsonDateTime(Epoch.AddSeconds(150)) }, { "_id", 150 } };
            await store.SaveAsync(connector.Id, new Checkpoint(old.ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.CanonicalExtendedJson }), "old"), default);
            var result = await new SyncEngine().RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(20 + 49, result.RowsRead);
            var ids = await servers.ClickHouse.QueryAsync($"SELECT toInt32(_id) AS i FROM `{connector.Destination.Database}`.`events` FINAL ORDER BY i");
            Assert.Equal([.. Enumerable.Range(0, 20), .. Enumerable.Range(151, 49)], ids.Select(r => (int)r[0]!));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
