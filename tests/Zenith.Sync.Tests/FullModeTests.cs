using System.IO.Compression;
using System.Net;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;
using Zenith.Core.Retries;

namespace Zenith.Sync.Tests;

/// <summary>Issue 11, item 9, and resync: a staging table per run, a swap that a retry never undoes, tables dropped at once.</summary>
[Collection(ServersCollection.Name)]
public sealed class FullModeTests(Servers servers)
{
    private static readonly string[] Fields = ["n", "name"];

    [Fact]
    public async Task A_run_that_starts_while_another_loads_never_swaps_in_a_half_loaded_or_mixed_table()
    {
        var connector = servers.NewConnector(SyncMode.Full, batchSize: 100);
        var collection = servers.Collection(connector);
        var engine = new SyncEngine(new SyncEngineOptions { MaxInsertRows = 100 });
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 1_000).Select(i => Doc(i)));
            Assert.True((await engine.RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            // A has read the collection and loaded one batch when the source changes and B starts (the CLI and the service, say).
            using var gateA = new GatedObserver();
            var a = Task.Run(() => engine.RunAsync(connector, new MemoryCheckpointStore(), gateA, default));
            await gateA.Held.WaitAsync(TimeSpan.FromMinutes(2));
            await collection.DeleteManyAsync(new BsonDocument("n", new BsonDocument { { "$gte", 500 }, { "$lt", 600 } }));
            await collection.InsertManyAsync(Enumerable.Range(1_000, 50).Select(i => Doc(i)));
            using var gateB = new GatedObserver();
            var b = Task.Run(() => engine.RunAsync(connector, new MemoryCheckpointStore(), gateB, default));
            await gateB.Held.WaitAsync(TimeSpan.FromMinutes(2));

            gateA.Release();
            var resultA = await a;
            gateB.Release();
            var resultB = await b;

            // The table is one run's whole load of the collection as it is now, each document once.
            Assert.Equal(950, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {Table(connector)}"));
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await StagingTablesAsync(connector));

            // B dropped the staging table A abandoned: A fails loudly instead of swapping in B's half-loaded one.
            Assert.Equal(SyncOutcome.Failed, resultA.Outcome);
            Assert.True(resultB.Outcome == SyncOutcome.Succeeded, resultB.Error);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_swap_whose_reply_was_lost_is_not_undone_by_its_retry_and_replaced_tables_are_dropped_at_once()
    {
        var connector = servers.NewConnector(SyncMode.Full, batchSize: 500);
        var collection = servers.Collection(connector);
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 1_000).Select(i => Doc(i)));
            Assert.True((await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);
            await collection.UpdateManyAsync(FilterDefinition<BsonDocument>.Empty, new BsonDocument("$set", new BsonDocument("name", "revised")));

            using var handler = new LoseReplyOf("EXCHANGE TABLES") { InnerHandler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All } };
            using var http = new HttpClient(handler);
            var observer = new RecordingObserver();
            var engine = new SyncEngine(new SyncEngineOptions { ClickHouseHttpClient = http, Retry = new RetryPolicy(6, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)) });
            var result = await engine.RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.True(handler.Lost, "the test should have lost the swap's reply");
            Assert.Contains(observer.Notes, n => n.Contains("retry", StringComparison.OrdinalIgnoreCase));

            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await StagingTablesAsync(connector));
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.dropped_tables WHERE database = '{connector.Destination.Database}'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_resync_reloads_everything_into_a_new_table_and_resumes_where_its_read_settled()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 100);
        var collection = servers.Collection(connector);
        var store = new MemoryCheckpointStore();
        var engine = new SyncEngine();
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 300).Select(i => Doc(i)));
            Assert.True((await engine.RunAsync(connector, store, new RecordingObserver(), default)).Outcome == SyncOutcome.Succeeded);

            // Doubt: a row nobody can explain, documents deleted at the source, one updated (incremental_id sees neither).
            await servers.ClickHouse.ExecuteAsync($"INSERT INTO {Table(connector)} (_id, n, _zenith_synced_at, _zenith_version, _zenith_id_type) VALUES ('stray', 1, now64(), 1, 'string')");
            await collection.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 10)));
            await collection.UpdateOneAsync(new BsonDocument("n", 20), new BsonDocument("$set", new BsonDocument("name", "changed")));

            var resync = await engine.RunAsync(connector, store, new RecordingObserver(), RunOptions.New(resync: true), default);
            Assert.True(resync.Outcome == SyncOutcome.Succeeded, resync.Error);
            Assert.Equal(290, resync.RowsWritten);
            Assert.Equal(290, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {Table(connector)}"));
            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await StagingTablesAsync(connector));

            await collection.InsertOneAsync(Doc(300));
            var next = await engine.RunAsync(connector, store, new RecordingObserver(), default);
            Assert.Equal(1, next.RowsRead);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    private static BsonDocument Doc(int i) => new() { { "_id", ObjectId.Parse($"64000000{i:x16}") }, { "n", i }, { "name", $"doc {i}" } };

    private static string Table(ConnectorSpec connector) => $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";

    private Task<long> StagingTablesAsync(ConnectorSpec connector) => servers.ClickHouse.ScalarAsync<long>(
        $"SELECT count() FROM system.tables WHERE database = '{connector.Destination.Database}' AND name LIKE '%zenith_staging%'");

    /// <summary>Holds the run on its ordered stage after its first acknowledged insert, until released.</summary>
    private sealed class GatedObserver : ISyncObserver, IDisposable
    {
        private readonly ManualResetEventSlim release = new();
        private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int commits;

        public Task Held => held.Task;

        public void Release() => release.Set();

        public void BatchCommitted(SyncProgress batch, SyncProgress total)
        {
            if (Interlocked.Increment(ref commits) == 1)
            {
                held.TrySetResult();
                Assert.True(release.Wait(TimeSpan.FromMinutes(2)), "the test never released the run");
            }
        }

        public void DocumentFailed(string documentId, string reason)
        {
        }

        public void Note(string message)
        {
        }

        public void Dispose() => release.Dispose();
    }

    /// <summary>Lets the first statement containing <paramref name="statement"/> reach the server, then drops its reply.</summary>
    private sealed class LoseReplyOf(string statement) : DelegatingHandler
    {
        public bool Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sql = Uri.UnescapeDataString((request.RequestUri?.Query ?? string.Empty).Replace('+', ' '));
            if (request.Content is not null)
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken);
                var body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
                if (request.Content.Headers.ContentEncoding.Contains("gzip"))
                {
                    await using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                    using var plain = new MemoryStream();
                    await gzip.CopyToAsync(plain, cancellationToken);
                    body = plain.ToArray();
                }

                sql += System.Text.Encoding.UTF8.GetString(body);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (!Lost && sql.Contains(statement, StringComparison.Ordinal))
            {
                Assert.True(response.IsSuccessStatusCode, $"the statement whose reply is lost must have succeeded: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                response.Dispose();
                Lost = true;
                throw new HttpRequestException("the connection was reset before the reply arrived (test)");
            }

            return response;
        }
    }
}
