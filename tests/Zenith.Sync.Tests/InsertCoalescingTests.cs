using System.Collections.Concurrent;
using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>Small connector batches are read and checkpointed one by one but sent to ClickHouse as fewer, larger inserts.</summary>
[Collection(ServersCollection.Name)]
public sealed class InsertCoalescingTests(Servers servers)
{
    private static readonly string[] Fields = ["n", "name"];

    [Fact]
    public async Task Batches_of_100_go_out_in_inserts_of_at_most_MaxInsertRows_and_the_checkpoint_is_the_last_document()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 100);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var observer = new InsertObserver();
        try
        {
            foreach (var chunk in Enumerable.Range(0, 20_000).Chunk(10_000))
            {
                await collection.InsertManyAsync(chunk.Select(i => new BsonDocument { { "_id", ObjectId.Parse($"65000000{i:x16}") }, { "n", i }, { "name", $"doc {i}" } }));
            }

            var result = await new SyncEngine(new SyncEngineOptions { MaxInsertRows = 3_000 }).RunAsync(connector, store, observer, default);

            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(20_000, result.RowsWritten);
            Assert.Equal(200, result.Batches);
            Assert.Equal(200, observer.Inserts.Sum(i => i.Batches));
            Assert.True(observer.Inserts.Count < 200, $"{observer.Inserts.Count} inserts for 200 batches: nothing was coalesced");
            Assert.All(observer.Inserts, i => Assert.InRange(i.RowsWritten, 1, 3_000));
            // One checkpoint per insert, and the version floor stored before the first row.
            Assert.Equal(observer.Inserts.Count + 1, store.Saves);
            Assert.Equal($"65000000{19_999:x16}", CursorOf(result.Checkpoint));
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    private static string? CursorOf(Checkpoint? checkpoint) =>
        checkpoint is null ? null : Zenith.Core.Cursors.CursorState.Parse(SyncMode.IncrementalId, checkpoint).Parts.Single().Id!.ToString();

    private sealed class InsertObserver : ISyncObserver
    {
        public ConcurrentQueue<SyncProgress> Inserts { get; } = new();

        public void BatchCommitted(SyncProgress batch, SyncProgress total) => Inserts.Enqueue(batch);

        public void DocumentFailed(string documentId, string reason)
        {
        }

        public void Note(string message)
        {
        }
    }
}
