using System.Diagnostics;
using System.Net;
using MongoDB.Bson;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>A change-stream connector in the service: its own lane, live lag and caught-up, metrics, pause and resync.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class ChangeStreamServiceTests(ServiceServers servers)
{
    [Fact]
    public async Task A_stream_runs_in_its_own_lane_reports_lag_and_stops_promptly_on_pause()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("cs"), servers.NewClickHouseDatabase("cs"));
        await Seed.InsertAsync(servers, mongoDb, "live", 500);
        await Seed.InsertAsync(servers, mongoDb, "batch", 300);
        var live = servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("live");

        // One batch slot: the stream must give it back once it streams, or the other connector would never run.
        using var app = new ZenithApp(settings: new() { ["processing:max_parallel_jobs"] = "1" });
        using var client = app.CreateClient();
        var stream = await client.PostJsonAsync("/api/connectors", Requests.Connector("live", servers, mongoDb, "live", chDb, mode: "change_stream", batchSize: 200), expected: 201);
        var id = stream.Number("id");
        Assert.Equal("change_stream", stream.Str("mode"));
        Assert.Equal("resync", stream.Str("onHistoryLost"));
        var streaming = await client.UntilAsync($"/api/connectors/{id}", c => c["caughtUp"]?.GetValue<bool>() == true, "the stream to catch up");
        Assert.True(streaming["running"]!.GetValue<bool>());
        Assert.NotNull(streaming["lagSeconds"]);
        Assert.Equal(500, await servers.CountAsync(chDb, "live"));

        var other = (await client.PostJsonAsync("/api/connectors", Requests.Connector("batch", servers, mongoDb, "batch", chDb, batchSize: 100), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{other}", c => c["lastResult"].Str("status") == "succeeded", "the batch connector to run beside the stream");

        await live.InsertOneAsync(new BsonDocument { { "_id", "new-one" }, { "n", 1001 } });
        await live.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 100)));
        await UntilAsync(async () => await servers.CountAsync(chDb, "live") == 401, "the insert and the deletes to reach ClickHouse");
        Assert.Equal(401L, Convert.ToInt64(await servers.ClickHouse.ExecuteScalarAsync($"SELECT count() FROM `{chDb}`.`live_current`"), System.Globalization.CultureInfo.InvariantCulture));

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches("zenith_change_stream_lag_seconds\\{[^}]*connector=\"live\"[^}]*\\} [0-9.]+", metrics);
        Assert.Matches("zenith_change_stream_events_total\\{[^}]*connector=\"live\",type=\"delete\"[^}]*\\} 100\\b", metrics);

        // The stream is one long run in the history; a pause ends it between micro-batches, at once.
        var clock = Stopwatch.StartNew();
        var paused = await client.PostJsonAsync($"/api/connectors/{id}/pause");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the pause took {clock.Elapsed}");
        Assert.False(paused["running"]!.GetValue<bool>());
        Assert.Null(paused["lagSeconds"]);
        var runs = (await client.GetJsonAsync($"/api/connectors/{id}/runs")).AsArray();
        Assert.Equal("cancelled", Assert.Single(runs)!.Str("status"));
        Assert.Equal(601L, runs[0].Number("rowsWritten")); // 500 loaded, 1 insert, 100 tombstones
        Assert.StartsWith("change stream at ", paused.Str("checkpoint"), StringComparison.Ordinal);

        // Resumed, it goes on from its token: a write made while paused arrives, nothing is loaded again.
        await live.UpdateOneAsync(new BsonDocument("_id", "new-one"), new BsonDocument("$set", new BsonDocument("n", 1002)));
        await client.PostJsonAsync($"/api/connectors/{id}/resume");
        await UntilAsync(
            async () => Convert.ToInt64(await servers.ClickHouse.ExecuteScalarAsync($"SELECT n FROM `{chDb}`.`live_current` WHERE _id = 'new-one'"), System.Globalization.CultureInfo.InvariantCulture) == 1002,
            "the update made while paused to arrive");
        var second = await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 2, "the resumed stream's run");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        var resumedRun = (await client.GetJsonAsync($"/api/runs/{second[0].Number("id")}"));
        Assert.Equal(1L, resumedRun.Number("rowsWritten"));
    }

    [Fact]
    public async Task An_edit_restarts_a_stream_and_a_resync_reloads_it_then_streams_on()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("cs"), servers.NewClickHouseDatabase("cs"));
        await Seed.InsertAsync(servers, mongoDb, "live", 300);
        var live = servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("live");
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("edited", servers, mongoDb, "live", chDb, mode: "change_stream"), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["caughtUp"]?.GetValue<bool>() == true, "the stream to catch up");

        var (edited, body) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", Requests.Connector("edited", servers, mongoDb, "live", chDb, mode: "change_stream", batchSize: 50));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.False(body!["checkpointReset"]!.GetValue<bool>());
        var runs = await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 2 && r[0].Str("status") == "running", "the stream to start again after the edit");
        Assert.Equal("cancelled", runs[1].Str("status"));
        await live.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 50)));
        await UntilAsync(async () => await servers.CountAsync(chDb, "live") == 250, "the deletes after the edit");

        var resync = await client.PostJsonAsync($"/api/connectors/{id}/resync", expected: 202);
        Assert.Equal("resync", resync.Str("trigger"));
        await client.UntilAsync($"/api/runs/{resync.Number("id")}", r => r.Str("status") == "running" && r.Number("rowsWritten") >= 250, "the resync to reload");
        await live.InsertOneAsync(new BsonDocument { { "_id", "after-resync" }, { "n", 5000 } });
        await UntilAsync(async () => await servers.CountAsync(chDb, "live") == 251, "the stream after the resync");
        Assert.Equal(0L, Convert.ToInt64(await servers.ClickHouse.ExecuteScalarAsync(
            $"SELECT count() FROM system.tables WHERE database = '{chDb}' AND name LIKE '%zenith_staging%'"), System.Globalization.CultureInfo.InvariantCulture));
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
    }

    [Fact]
    public async Task Shutdown_stops_a_stream_within_seconds_and_a_restart_streams_on_from_its_token()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("cs"), servers.NewClickHouseDatabase("cs"));
        await Seed.InsertAsync(servers, mongoDb, "live", 100);
        var live = servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("live");
        using var directory = new TempDirectory();
        long id;
        var app = new ZenithApp(directory.Path);
        using (var client = app.CreateClient())
        {
            id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("shut", servers, mongoDb, "live", chDb, mode: "change_stream"), expected: 201)).Number("id");
            await client.UntilAsync($"/api/connectors/{id}", c => c["caughtUp"]?.GetValue<bool>() == true, "the stream to catch up");
        }

        // A getMore is waiting for events while the host stops: it must not hold the shutdown.
        var clock = Stopwatch.StartNew();
        await app.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the shutdown took {clock.Elapsed}");

        await live.InsertOneAsync(new BsonDocument { { "_id", "while-down" }, { "n", 5000 } });
        await using var again = new ZenithApp(directory.Path);
        using var restarted = again.CreateClient();
        await UntilAsync(async () => await servers.CountAsync(chDb, "live") == 101, "the write made while Zenith was down");
        var runs = (await restarted.GetJsonAsync($"/api/connectors/{id}/runs")).AsArray();
        Assert.Equal("cancelled", runs[^1]!.Str("status"));
        Assert.Equal(1L, (await restarted.UntilAsync($"/api/connectors/{id}/runs", r => r[0]!.Number("rowsWritten") == 1, "the restarted stream's run"))[0]!.Number("rowsWritten"));
        await restarted.PostJsonAsync($"/api/connectors/{id}/pause");
    }

    [Fact]
    public async Task A_filter_with_change_stream_is_refused()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var request = new
        {
            name = "filtered",
            source = new { uri = servers.Mongo.ConnectionString, database = "d", collection = "c", filter = "{\"a\": 1}" },
            destination = new { uri = servers.ClickHouseUri, database = "d", table = "c" },
            mode = "change_stream",
        };
        var (response, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("change_stream copies whole documents", problem!["errors"]!["source.filter"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"Waited 2 minutes for {what}");
            await Task.Delay(50);
        }
    }
}
