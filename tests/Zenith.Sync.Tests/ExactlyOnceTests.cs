using System.Net;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Retries;

namespace Zenith.Sync.Tests;

/// <summary>An insert that reached ClickHouse but whose reply was lost is retried, and still written once.</summary>
[Collection(ServersCollection.Name)]
public sealed class ExactlyOnceTests(Servers servers)
{
    [Theory]
    [InlineData(SyncMode.Full)]
    [InlineData(SyncMode.IncrementalId)]
    public async Task A_batch_whose_reply_was_lost_is_written_once(SyncMode mode)
    {
        var connector = servers.NewConnector(mode, batchSize: 500);
        var collection = servers.Collection(connector);
        using var handler = new LoseReplyOfInsert(2) { InnerHandler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All } };
        using var http = new HttpClient(handler);
        var observer = new RecordingObserver();
        var engine = new SyncEngine(new SyncEngineOptions
        {
            ClickHouseHttpClient = http,

            // One batch per insert, so there is a second insert whose reply can be lost.
            MaxInsertRows = 500,
            Retry = new RetryPolicy(6, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
        });
        try
        {
            await collection.InsertManyAsync(Enumerable.Range(0, 2_000).Select(i => new BsonDocument { { "_id", i }, { "n", i } }));
            var result = await engine.RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.True(handler.Lost, "the test should have lost the reply of the second insert");
            Assert.Contains(observer.Notes, n => n.Contains("retry", StringComparison.OrdinalIgnoreCase));

            // Without FINAL: a duplicate would show until a merge collapses it (and forever in a plain read of a full-mode table).
            var table = $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";
            Assert.Equal(2_000, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table}"));
            Assert.Equal(2_000, await servers.ClickHouse.ScalarAsync<long>($"SELECT uniqExact(_id) FROM {table}"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_table_created_without_deduplication_gets_it()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var database = connector.Destination.Database;
        var observer = new RecordingObserver();
        try
        {
            await servers.Collection(connector).InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 1 } });
            await servers.ClickHouse.ExecuteAsync($"CREATE DATABASE `{database}`");
            await servers.ClickHouse.ExecuteAsync(
                $"CREATE TABLE `{database}`.`events` (`_id` String, `n` Nullable(Int32) COMMENT '[\"n\"]', `_zenith_synced_at` DateTime64(3, 'UTC'), `_zenith_version` UInt64) " +
                "ENGINE = ReplacingMergeTree(`_zenith_version`) ORDER BY `_id`");
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Contains(observer.Notes, n => n.Contains("enabled insert deduplication", StringComparison.Ordinal));
            var engine = await servers.ClickHouse.ScalarAsync<string>(
                $"SELECT engine_full FROM system.tables WHERE database = '{database}' AND name = 'events'");
            Assert.Contains("non_replicated_deduplication_window = 1000", engine, StringComparison.Ordinal);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_Null_table_feeding_a_materialized_view_is_written_through_without_an_alter_it_refuses()
    {
        // A common shape: Zenith writes into a Null table and a materialized view files the rows away (here into a MergeTree table).
        // The Null engine has no deduplication setting and refuses ALTER … MODIFY SETTING, so Zenith must not send it.
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var database = connector.Destination.Database;
        var observer = new RecordingObserver();
        try
        {
            var source = Enumerable.Range(0, 1_500).Select(i => new BsonDocument { { "_id", i }, { "n", i * 7 }, { "name", $"user {i}" } }).ToList();
            await servers.Collection(connector).InsertManyAsync(source);
            await servers.ClickHouse.ExecuteAsync($"CREATE DATABASE `{database}`");
            await servers.ClickHouse.ExecuteAsync(
                $"CREATE TABLE `{database}`.`events` (`_id` String, `n` Nullable(Int32) COMMENT '[\"n\"]', `name` Nullable(String) COMMENT '[\"name\"]', " +
                "`_zenith_synced_at` DateTime64(3, 'UTC'), `_zenith_version` UInt64) ENGINE = Null");
            await servers.ClickHouse.ExecuteAsync(
                $"CREATE TABLE `{database}`.`store` (`_id` String, `n` Nullable(Int32), `name` Nullable(String)) ENGINE = MergeTree ORDER BY `_id`");
            await servers.ClickHouse.ExecuteAsync(
                $"CREATE MATERIALIZED VIEW `{database}`.`filing` TO `{database}`.`store` AS SELECT `_id`, `n`, `name` FROM `{database}`.`events`");

            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);

            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(source.Count, result.RowsWritten);
            Assert.Contains(observer.Notes, n => n.Contains("has engine Null, which does not deduplicate inserts itself", StringComparison.Ordinal));
            var rows = await servers.ClickHouse.QueryAsync($"SELECT `_id`, `n`, `name` FROM `{database}`.`store` ORDER BY toInt64(`_id`)");
            Assert.Equal(source.Select(d => $"{d["_id"]}\t{d["n"]}\t{d["name"]}"), rows.Select(r => string.Join('\t', r)));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    /// <summary>Lets the n-th INSERT reach the server, then throws its reply away as a dropped connection would.</summary>
    private sealed class LoseReplyOfInsert(int which) : DelegatingHandler
    {
        private int _inserts;

        public bool Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var query = Uri.UnescapeDataString((request.RequestUri?.Query ?? string.Empty).Replace('+', ' '));
            if (query.Contains("INSERT INTO", StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref _inserts) == which)
            {
                Assert.True(response.IsSuccessStatusCode, "the insert whose reply is lost must have succeeded");
                response.Dispose();
                Lost = true;
                throw new HttpRequestException("the connection was reset before the reply arrived (test)");
            }

            return response;
        }
    }
}
