using System.Security.Cryptography;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.TestServers.Faults;

namespace Zenith.Sync.Tests;

/// <summary>
/// Issue 14, item 9: the network's faults, injected by the tests' own proxy between the engine and the test servers. A MongoDB
/// cursor lost while a slow ClickHouse held the reader back is reopened after the last committed document: every row arrives
/// once, value for value. A connection that stops answering (half-open) ends the run at the call's own timeout, long before
/// the run's deadline, so no slot is held for hours.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FaultTests(Servers servers)
{
    [Theory]
    [InlineData(SyncMode.Full)]
    [InlineData(SyncMode.IncrementalId)]
    [InlineData(SyncMode.IncrementalTimestamp)]
    public async Task A_cursor_lost_during_a_slow_insert_is_reopened_after_the_last_committed_document(SyncMode mode)
    {
        var connector = servers.NewConnector(mode, batchSize: 50);
        var collection = servers.Collection(connector);
        await using var mongo = FaultProxy.For(servers.Mongo.ConnectionString);
        await using var clickHouse = FaultProxy.For(servers.ClickHouse.Url);
        try
        {
            // 600 documents of ~64 KiB: more than one 16 MiB reply, so the reader needs getMore after the first insert.
            var start = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc);
            for (var chunk = 0; chunk < 6; chunk++)
            {
                await collection.InsertManyAsync(Enumerable.Range(chunk * 100, 100).Select(i => new BsonDocument
                {
                    { "_id", i },
                    { "n", i },
                    { "payload", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48_000)) },
                    { "updated_at", new BsonDateTime(start.AddSeconds(i / 3)) },
                }));
            }

            // At the first acknowledged insert ClickHouse stalls for a while and every MongoDB connection is cut.
            var observer = new RecordingObserver
            {
                OnFirstCommit = () =>
                {
                    clickHouse.Hang();
                    mongo.CutAll();
                    _ = Task.Delay(500).ContinueWith(_ => clickHouse.Resume(), TaskScheduler.Default);
                },
            };
            var routed = connector with
            {
                Source = connector.Source with { Uri = mongo.Route(connector.Source.Uri) },
                Destination = connector.Destination with { Uri = clickHouse.Route(connector.Destination.Uri) },
            };
            var engine = new SyncEngine(new SyncEngineOptions { MaxInsertRows = 100, QueryTimeout = TimeSpan.FromMinutes(2) });
            var result = await engine.RunAsync(routed, new MemoryCheckpointStore(), observer, default);

            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal((600L, 600L, 0L), (result.RowsRead, result.RowsWritten, result.RowsFailed));
            Assert.Contains(observer.Notes, n => n.StartsWith("MongoDB: the cursor was lost", StringComparison.Ordinal));
            Assert.True(mongo.Accepted >= 2, "the reader reconnected through the proxy");
            await TableAssert.EqualsSourceAsync(servers, connector, ["n", "payload", "updated_at"]);
            var total = await servers.ClickHouse.QueryAsync($"SELECT count() FROM `{connector.Destination.Database}`.`{connector.Destination.Table}`");
            Assert.Equal(600UL, Convert.ToUInt64(total[0][0], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Theory]
    [InlineData("mongodb")]
    [InlineData("clickhouse")]
    public async Task A_server_that_stops_answering_fails_the_run_at_the_call_timeout_not_the_run_deadline(string end)
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 50);
        await servers.Collection(connector).InsertManyAsync(Enumerable.Range(0, 100).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
        await using var proxy = FaultProxy.For(end == "mongodb" ? servers.Mongo.ConnectionString : servers.ClickHouse.Url);
        try
        {
            var routed = end == "mongodb"
                ? connector with { Source = connector.Source with { Uri = proxy.Route(connector.Source.Uri) } }
                : connector with { Destination = connector.Destination with { Uri = proxy.Route(connector.Destination.Uri) } };
            proxy.Hang();
            var engine = new SyncEngine(new SyncEngineOptions
            {
                ConnectTimeout = TimeSpan.FromSeconds(2),
                QueryTimeout = TimeSpan.FromSeconds(3),
                RunTimeout = TimeSpan.FromHours(1),
                Retry = Zenith.Core.Retries.RetryPolicy.None,
            });

            // Only a bound for a broken build: without call timeouts the run would wait here, and end Cancelled, not Failed.
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var store = new MemoryCheckpointStore();
            var result = await engine.RunAsync(routed, store, new RecordingObserver(), bound.Token);

            Assert.True(result.Outcome == SyncOutcome.Failed, $"{result.Outcome}: {result.Error}");
            Assert.False(bound.IsCancellationRequested, "the run ended by its own timeouts");
            Assert.Equal(0L, result.RowsWritten);
            Assert.False((await store.LoadAsync(routed.Id, default))?.HasPosition ?? false, "no position was stored (only the version floor, before any row)");
            Assert.StartsWith($"{(end == "mongodb" ? "MongoDB" : "ClickHouse")} at 127.0.0.1:{proxy.Port} ", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            proxy.Resume();
            await servers.CleanUpAsync(connector);
        }
    }
}
