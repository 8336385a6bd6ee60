using System.Net;
using System.Net.Sockets;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Retries;

namespace Zenith.Sync.Tests;

/// <summary>Issue 11, item 10 (engine side): versions that never go back, and a cancellation that is one whenever it lands.</summary>
[Collection(ServersCollection.Name)]
public sealed class RunSafetyTests(Servers servers)
{
    [Fact]
    public async Task A_wall_clock_stepping_back_never_lets_an_older_state_win()
    {
        var clock = new MovableClock();
        var engine = new SyncEngine(new SyncEngineOptions { TimeProvider = clock });
        var connector = servers.NewConnector(SyncMode.IncrementalTimestamp);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        try
        {
            var at = DateTime.UtcNow.AddHours(-2);
            await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "state", "old" }, { "updated_at", at } });
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            await collection.ReplaceOneAsync(new BsonDocument("_id", 1), new BsonDocument { { "_id", 1 }, { "state", "new" }, { "updated_at", at.AddMinutes(1) } });
            clock.Move(TimeSpan.FromHours(-1));
            var second = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Equal(1, second.RowsWritten);
            Assert.Equal("new", await servers.ClickHouse.ScalarAsync<string>($"SELECT state FROM `{connector.Destination.Database}`.`events` FINAL"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_run_cancelled_while_a_ddl_statement_waits_for_clickhouse_ends_at_once_as_cancelled()
    {
        using var stalling = new TcpListener(IPAddress.Loopback, 0);
        stalling.Start();
        var connector = servers.NewConnector(SyncMode.IncrementalId) with
        {
            Destination = new DestinationSpec($"http://127.0.0.1:{((IPEndPoint)stalling.LocalEndpoint).Port}", "db", "events"),
        };
        try
        {
            await servers.Collection(connector).InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 } });
            using var cancel = new CancellationTokenSource();
            var engine = new SyncEngine(new SyncEngineOptions { Retry = RetryPolicy.None });
            var run = engine.RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), cancel.Token);

            // ClickHouse took the first statement (CREATE DATABASE), sent its reply's headers, and the statement goes on.
            using var accepted = await stalling.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromMinutes(1));
            var stream = accepted.GetStream();
            var request = new byte[64 * 1024];
            Assert.True(await stream.ReadAsync(request) > 0);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
            await stream.FlushAsync();

            await cancel.CancelAsync();
            var result = await run.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(SyncOutcome.Cancelled, result.Outcome);
        }
        finally
        {
            await servers.Mongo.Client.DropDatabaseAsync(connector.Source.Database);
        }
    }
}
