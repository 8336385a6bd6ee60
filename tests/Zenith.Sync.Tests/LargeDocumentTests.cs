using System.Security.Cryptography;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>
/// Issue 14, item 8: batches are bounded by bytes as well as by count, so documents of megabytes (pages, screenshots in base64:
/// the monitoring use case) never make a batch of gigabytes; a document over the per-document limit is counted, reported with
/// its _id and not written, and the run goes on. Every other value arrives unchanged.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class LargeDocumentTests(Servers servers)
{
    [Fact]
    public async Task Megabyte_documents_go_in_byte_bounded_batches_and_an_oversized_one_fails_alone()
    {
        // No settle window: the position is asserted right after the run.
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 1000) with { SettleSeconds = 0 };
        var collection = servers.Collection(connector);
        var observer = new RecordingObserver();
        var checkpoints = new MemoryCheckpointStore();
        try
        {
            // 24 screenshots of ~0.9 MiB, and one of ~2.6 MiB in the middle; the limits below scale the 1,000 × 2 MB down.
            var documents = Enumerable.Range(0, 25).Select(i => new BsonDocument
            {
                { "_id", i },
                { "page", $"https://example.com/page/{i}" },
                { "screenshot", Convert.ToBase64String(RandomNumberGenerator.GetBytes(i == 12 ? 2_000_000 : 700_000)) },
                { "captured_at", new BsonDateTime(new DateTime(2026, 11, 23, 10, 0, i, DateTimeKind.Utc)) },
            }).ToList();
            foreach (var document in documents)
            {
                await collection.InsertOneAsync(document);
            }

            var engine = new SyncEngine(new SyncEngineOptions { MaxBatchBytes = 4L * 1024 * 1024, MaxDocumentBytes = 2 * 1024 * 1024 });
            var result = await engine.RunAsync(connector, checkpoints, observer, default);

            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal((25L, 24L, 1L), (result.RowsRead, result.RowsWritten, result.RowsFailed));
            Assert.True(result.Batches >= 6, $"25 documents of ~0.9 MiB in batches of at most 4 MiB need at least 6 batches (got {result.Batches})");
            var (id, reason) = Assert.Single(observer.Failures);
            Assert.Equal("12", id);
            Assert.Contains("processing.max_document_bytes", reason, StringComparison.Ordinal);
            Assert.DoesNotContain(documents[12]["screenshot"].AsString[..32], reason, StringComparison.Ordinal);

            // Value by value, every other document; the oversized one is not in the table at all.
            var rows = await servers.ClickHouse.QueryAsync(
                $"SELECT _id, page, screenshot, toString(captured_at) FROM `{connector.Destination.Database}`.`{connector.Destination.Table}` FINAL ORDER BY toInt32(_id)");
            var expected = documents.Where(d => d["_id"].AsInt32 != 12).ToList();
            Assert.Equal(expected.Count, rows.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i]["_id"].AsInt32.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[i][0]);
                Assert.Equal(expected[i]["page"].AsString, rows[i][1]);
                Assert.Equal(expected[i]["screenshot"].AsString, rows[i][2]);
                Assert.Equal(expected[i]["captured_at"].ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture), rows[i][3]);
            }

            // The position moved past it like past any other document: the next run has nothing to read.
            Assert.Equal("_id > 24", (await checkpoints.LoadAsync(connector.Id, default))?.Display);
            var again = await engine.RunAsync(connector, checkpoints, new RecordingObserver(), default);
            Assert.Equal((0L, 0L), (again.RowsRead, again.RowsFailed));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
