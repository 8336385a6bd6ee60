using System.Net;
using Dapper;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zenith.Service.Runs;
using Zenith.Service.Scheduling;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>The service end to end: its scheduler, the real engine, the MongoDB test server and ClickHouse (chDB).</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class SyncTests(ServiceServers servers)
{
    [Fact]
    public async Task A_new_connector_syncs_on_its_own_and_reports_the_numbers()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "visits", 2500);
        using var app = new ZenithApp();
        using var client = app.CreateClient();

        var (response, created) = await client.SendAsync(HttpMethod.Post, "/api/connectors", Requests.Connector("visits", servers, mongoDb, "visits", chDb, batchSize: 1000));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/connectors/{created.Number("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal("active", created.Str("status"));

        // The run row closes just before the run lets go of the connector (its result is recorded in between): wait for both.
        var connector = await client.UntilAsync(
            $"/api/connectors/{created.Number("id")}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run to succeed and end");
        var last = connector["lastResult"]!;
        Assert.Equal((2500L, 2500L, 0L, 3L), (last.Number("rowsRead"), last.Number("rowsWritten"), last.Number("rowsFailed"), last.Number("batches")));
        Assert.True(last.Number("bytes") > 0);
        Assert.Equal("schedule", last.Str("trigger"));
        Assert.NotNull(connector.Str("lastRun"));
        Assert.NotNull(connector.Str("checkpoint"));
        Assert.False(connector["running"]!.GetValue<bool>());
        Assert.Equal(2500, await servers.CountAsync(chDb, "visits"));

        var runs = (await client.GetJsonAsync($"/api/connectors/{created.Number("id")}/runs")).AsArray();
        var run = Assert.Single(runs);
        Assert.Equal(last.Number("id"), run.Number("id"));
        Assert.Equal(last.Number("id"), (await client.GetJsonAsync($"/api/runs/{last.Number("id")}")).Number("id"));

        var logs = (await client.GetJsonAsync($"/api/logs?connectorId={created.Number("id")}")).AsArray();
        Assert.Contains(logs, l => l.Str("message")!.Contains("succeeded: 2500 read, 2500 written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_while_a_run_is_queued_is_409_then_the_manual_run_copies_everything()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "big", 20_000);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("big", servers, mongoDb, "big", chDb, batchSize: 100), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run to end");

        // Another writer holds SQLite's write lock (WAL readers go on): the manual run is registered, then waits to record
        // itself, so it is certainly queued when the second request comes. Released long before the busy timeout (15 s).
        HttpResponseMessage firstResponse;
        await using (var writer = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await writer.OpenAsync();
            await using var transaction = await writer.BeginTransactionAsync();
            await writer.ExecuteAsync("UPDATE schema_version SET applied_at = applied_at;", transaction: transaction);
            var first = client.PostAsync($"/api/connectors/{id}/sync", new StringContent("", System.Text.Encoding.UTF8, "application/json"));
            await client.UntilAsync($"/api/connectors/{id}", c => c["running"]!.GetValue<bool>(), "the manual run to be registered");

            var (conflict, problem) = await client.SendAsync(HttpMethod.Post, $"/api/connectors/{id}/sync");
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Equal("A sync is already running.", problem.Str("title"));
            await transaction.RollbackAsync();
            firstResponse = await first;
        }

        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        var manual = System.Text.Json.Nodes.JsonNode.Parse(await firstResponse.Content.ReadAsStringAsync());
        Assert.Equal("manual", manual.Str("trigger"));
        var done = await client.UntilAsync($"/api/runs/{manual.Number("id")}", r => r.Str("status") is "succeeded" or "failed", "the manual run to end");
        Assert.Equal("succeeded", done.Str("status"));
        Assert.Equal(20_000, await servers.CountAsync(chDb, "big"));
    }

    [Fact]
    public async Task Pause_stops_the_schedule_and_resume_restarts_it()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "paused", 100);

        // The scheduler's clock: time passes when the test says, so "not run while paused" is checked without waiting.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new ZenithApp();
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(time)));
        using var client = host.CreateClient();
        var scheduler = host.Services.GetRequiredService<ConnectorScheduler>();
        var signal = host.Services.GetRequiredService<SchedulerSignal>();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("paused", servers, mongoDb, "paused", chDb, intervalSeconds: 1), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "a first run");

        var paused = await client.PostJsonAsync($"/api/connectors/{id}/pause");
        Assert.Equal("paused", paused.Str("status"));
        Assert.False(paused["running"]!.GetValue<bool>());
        var before = (await client.GetJsonAsync($"/api/connectors/{id}/runs?limit=500")).AsArray().Count;

        // Ten intervals later, and two passes of the scheduler after the pause: an active connector would have run by now.
        time.Advance(TimeSpan.FromSeconds(10));
        var passes = scheduler.Passes;
        signal.Wake();
        await UntilAsync(() => scheduler.Passes >= passes + 1, "a scheduler pass");
        signal.Wake();
        await UntilAsync(() => scheduler.Passes >= passes + 2, "a second scheduler pass");
        Assert.Equal(before, (await client.GetJsonAsync($"/api/connectors/{id}/runs?limit=500")).AsArray().Count);

        await Seed.InsertAsync(servers, mongoDb, "paused", 50, offset: 100);
        var resumed = await client.PostJsonAsync($"/api/connectors/{id}/resume");
        Assert.Equal("active", resumed.Str("status"));
        await client.UntilAsync($"/api/connectors/{id}/runs?limit=500", r => r.AsArray().Count > before && r[0]!.Str("status") == "succeeded", "a run after resume");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        Assert.Equal(150, await servers.CountAsync(chDb, "paused"));
    }

    [Fact]
    public async Task Three_failed_runs_turn_the_connector_to_error_and_resume_brings_it_back()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "failing", 10);
        using var app = new ZenithApp(settings: new() { ["alerting:failure_threshold"] = "3" });
        using var client = app.CreateClient();
        var unreachable = $"http://default:pw@127.0.0.1:{ClosedPort()}";
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("failing", servers, mongoDb, "failing", chDb, intervalSeconds: 1, destinationUri: unreachable), expected: 201)).Number("id");

        var errored = await client.UntilAsync($"/api/connectors/{id}", c => c.Str("status") == "error", "the connector to turn to error", timeoutSeconds: 180);
        Assert.Equal(3, errored.Number("consecutiveFailures"));
        Assert.Equal("failed", errored["lastResult"].Str("status"));
        Assert.False(string.IsNullOrWhiteSpace(errored["lastResult"].Str("error")));
        var runs = (await client.GetJsonAsync($"/api/connectors/{id}/runs")).AsArray();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal("failed", r.Str("status")));
        var errors = (await client.GetJsonAsync($"/api/logs?connectorId={id}&level=error")).AsArray();
        Assert.Contains(errors, l => l.Str("message")!.Contains("Status changed to error after 3 failed runs", StringComparison.Ordinal));
        Assert.All(errors, l => Assert.Equal("error", l.Str("level")));

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("zenith_connector_status{otel_scope_name=\"Zenith\",connector=\"failing\",status=\"error\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("zenith_connector_consecutive_failures{otel_scope_name=\"Zenith\",connector=\"failing\"} 3", metrics, StringComparison.Ordinal);

        var resumed = await client.PostJsonAsync($"/api/connectors/{id}/resume");
        Assert.Equal("active", resumed.Str("status"));
        Assert.Equal(0, resumed.Number("consecutiveFailures"));
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
    }

    [Fact]
    public async Task A_restarted_service_resumes_from_the_checkpoint()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "restart", 20_000);
        using var directory = new TempDirectory();
        long id;
        using (var app = new ZenithApp(directory.Path))
        using (var client = app.CreateClient())
        {
            id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("restart", servers, mongoDb, "restart", chDb, batchSize: 100), expected: 201)).Number("id");
            // Stop the service as soon as some batches are in ClickHouse (the run may also have finished by then).
            await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 1 && r[0].Number("rowsWritten") > 0, "the first batches");
        }

        await Seed.InsertAsync(servers, mongoDb, "restart", 500, offset: 20_000);
        using (var app = new ZenithApp(directory.Path))
        using (var client = app.CreateClient())
        {
            // The oldest run is the first service's (a start-up run may be queued already).
            var before = (await client.GetJsonAsync($"/api/connectors/{id}/runs")).AsArray()[^1]!;
            Assert.Contains(before.Str("status"), new[] { "cancelled", "succeeded" });
            if (before.Str("status") == "succeeded")
            {
                // It had finished: its schedule (hourly) starts nothing now; a manual run resumes from the checkpoint.
                await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
            }

            var runs = await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 2 && r[0].Str("status") == "succeeded", "the next run");
            var next = runs[0]!;
            Assert.Equal(before.Str("status") == "succeeded" ? "manual" : "startup", next.Str("trigger"));

            // Resumed from the checkpoint: the second run reads only what the first did not write.
            Assert.Equal(20_500 - before.Number("rowsWritten"), next.Number("rowsRead"));
        }

        Assert.Equal(20_500, await servers.CountAsync(chDb, "restart"));
    }

    [Fact]
    public async Task With_one_parallel_job_two_connectors_never_overlap()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "one", 3000);
        await Seed.InsertAsync(servers, mongoDb, "two", 3000);
        using var app = new ZenithApp(settings: new() { ["processing:max_parallel_jobs"] = "1" });
        using var client = app.CreateClient();
        var a = (await client.PostJsonAsync("/api/connectors", Requests.Connector("one", servers, mongoDb, "one", chDb, batchSize: 300), expected: 201)).Number("id");
        var b = (await client.PostJsonAsync("/api/connectors", Requests.Connector("two", servers, mongoDb, "two", chDb, batchSize: 300), expected: 201)).Number("id");

        var runA = (await client.UntilAsync($"/api/connectors/{a}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "connector one"))[0]!;
        var runB = (await client.UntilAsync($"/api/connectors/{b}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "connector two"))[0]!;
        var (firstRun, second) = DateTime.Parse(runA.Str("startedAt")!, System.Globalization.CultureInfo.InvariantCulture) < DateTime.Parse(runB.Str("startedAt")!, System.Globalization.CultureInfo.InvariantCulture) ? (runA, runB) : (runB, runA);
        Assert.True(
            DateTime.Parse(second.Str("startedAt")!, System.Globalization.CultureInfo.InvariantCulture) >= DateTime.Parse(firstRun.Str("finishedAt")!, System.Globalization.CultureInfo.InvariantCulture),
            $"runs overlap: {firstRun.ToJsonString()} / {second.ToJsonString()}");
        Assert.Equal(3000, await servers.CountAsync(chDb, "one"));
        Assert.Equal(3000, await servers.CountAsync(chDb, "two"));
    }

    private static async Task UntilAsync(Func<bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"Waited 2 minutes for {what}");
            await Task.Delay(20);
        }
    }

    private (string Mongo, string ClickHouse) Names() => (servers.Mongo.NewDatabaseName("svc"), servers.NewClickHouseDatabase("svc"));

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
