using System.Collections.Concurrent;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Zenith.Core.Connectors;
using Zenith.Service.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Runs;
using Zenith.Service.Scheduling;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Scheduling;

/// <summary>
/// Issue 11, item 10 and the lease of item 9, around the run (the engine is an in-process stand-in that records what it ran and
/// succeeds at once: nothing that crosses a wire is faked): start-up keeps each schedule, a scheduled start that raced a pause
/// does not run, and a connector another process holds is not run twice.
/// </summary>
public sealed class CoordinationTests
{
    [Fact]
    public async Task At_start_up_a_connector_that_is_not_due_waits_and_one_that_is_due_starts()
    {
        var engine = new CountingEngine();
        using var directory = new TempDirectory();
        long recent, overdue;
        using (var app = new ZenithApp(directory.Path))
        using (var host = With(app, engine))
        using (var client = host.CreateClient())
        {
            recent = (await client.PostJsonAsync("/api/connectors", Connector("recent"), expected: 201)).Number("id");
            overdue = (await client.PostJsonAsync("/api/connectors", Connector("overdue"), expected: 201)).Number("id");
            await client.UntilAsync($"/api/connectors/{recent}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "recent's first run");
            await client.UntilAsync($"/api/connectors/{overdue}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "overdue's first run");
        }

        // Both run hourly; "overdue" last ran two hours ago.
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "zenith.db")}"))
        {
            await db.ExecuteAsync("UPDATE connectors SET last_attempt_at = @at WHERE id = @overdue;", new { at = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds(), overdue });
        }

        using (var app = new ZenithApp(directory.Path))
        using (var host = With(app, engine))
        using (var client = host.CreateClient())
        {
            var runs = await client.UntilAsync($"/api/connectors/{overdue}/runs", r => r.AsArray().Count == 2 && r[0].Str("status") == "succeeded", "overdue's start-up run");
            Assert.Equal("startup", runs[0].Str("trigger"));
            var scheduler = host.Services.GetRequiredService<ConnectorScheduler>();
            Assert.True(scheduler.Passes >= 1);
            Assert.Single((await client.GetJsonAsync($"/api/connectors/{recent}/runs")).AsArray());
        }
    }

    [Fact]
    public async Task A_scheduled_start_that_raced_a_pause_does_not_run()
    {
        var engine = new CountingEngine();
        using var app = new ZenithApp();
        using var host = With(app, engine);
        using var client = host.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Connector("raced"), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "the first run");

        // The scheduler read the connector as active and due; the pause lands before its start does.
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        var service = host.Services.GetRequiredService<ConnectorService>();
        var run = await service.StartScheduledAsync(id, RunTrigger.Schedule, CancellationToken.None);
        await service.WhenIdleAsync(id);

        var skipped = await client.GetJsonAsync($"/api/runs/{run!.Id}");
        Assert.Equal("cancelled", skipped.Str("status"));
        Assert.Equal($"Run {run.Id} did not start: the connector was paused before it could.", skipped.Str("error"));
        Assert.Equal(1, engine.Runs(id));
    }

    [Fact]
    public async Task A_connector_whose_lease_another_process_holds_is_not_run_until_the_lease_expires()
    {
        var engine = new CountingEngine();
        using var app = new ZenithApp();
        using var host = With(app, engine);
        using var client = host.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Connector("leased"), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "the first run");

        await using var db = new SqliteConnection($"Data Source={app.DatabasePath}");
        await db.ExecuteAsync(
            "INSERT INTO leases (connector_id, holder, expires_at) VALUES (@id, 'pid 4242 on elsewhere (cafe0001)', @until);",
            new { id, until = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() });
        var refused = await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        var run = await client.UntilAsync($"/api/runs/{refused.Number("id")}", r => r.Str("status") == "cancelled", "the refused run to close");
        Assert.StartsWith("Connector leased is being run by another Zenith process (pid 4242 on elsewhere (cafe0001)), whose lease holds until ", run.Str("error"), StringComparison.Ordinal);
        Assert.Equal(1, engine.Runs(id));

        // While it holds the lease, a due connector is tried once per interval, not again and again.
        await db.ExecuteAsync("UPDATE connectors SET last_attempt_at = @at WHERE id = @id;", new { id, at = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() });
        var scheduler = host.Services.GetRequiredService<ConnectorScheduler>();
        var passes = scheduler.Passes;
        host.Services.GetRequiredService<SchedulerSignal>().Wake();
        var tried = await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 3 && r[0].Str("status") == "cancelled", "the scheduled try");
        await UntilAsync(() => scheduler.Passes >= passes + 3, "three scheduler passes after it", () => host.Services.GetRequiredService<SchedulerSignal>().Wake());
        Assert.Equal(3, (await client.GetJsonAsync($"/api/connectors/{id}/runs")).AsArray().Count);
        Assert.Equal("schedule", tried[0].Str("trigger"));
        // The run row closes just before the job lets go of the connector: a sync asked in between would be a 409.
        await client.UntilAsync($"/api/connectors/{id}", c => !c["running"]!.GetValue<bool>(), "the refused run to let go of the connector");

        // The holder died: once its lease expires, the connector runs again (and its own lease is released after).
        await db.ExecuteAsync("UPDATE leases SET expires_at = @past WHERE connector_id = @id;", new { id, past = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds() });
        var next = await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        await client.UntilAsync($"/api/runs/{next.Number("id")}", r => r.Str("status") == "succeeded", "the run after the lease expired");
        Assert.Equal(2, engine.Runs(id));
        await client.UntilAsync($"/api/connectors/{id}", c => !c["running"]!.GetValue<bool>(), "the run to end");
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM leases WHERE connector_id = @id;", new { id }));
    }

    [Fact]
    public async Task A_lease_left_by_a_process_of_this_machine_that_was_killed_is_not_waited_out()
    {
        var engine = new CountingEngine();
        using var app = new ZenithApp();
        using var host = With(app, engine);
        using var client = host.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Connector("orphaned"), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count == 1 && r[0].Str("status") == "succeeded", "the first run");

        using var gone = System.Diagnostics.Process.Start("true")!;
        await gone.WaitForExitAsync();
        await using var db = new SqliteConnection($"Data Source={app.DatabasePath}");
        await db.ExecuteAsync(
            "INSERT INTO leases (connector_id, holder, expires_at) VALUES (@id, @holder, @until);",
            new { id, holder = LeaseHolders.Format(gone.Id, "deadbeef"), until = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() });
        var run = await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        Assert.Equal("succeeded", (await client.UntilAsync($"/api/runs/{run.Number("id")}", r => r.Str("status") is "succeeded" or "cancelled", "the run")).Str("status"));
        Assert.Equal(2, engine.Runs(id));
    }

    private static async Task UntilAsync(Func<bool> done, string what, Action poke)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"Waited 2 minutes for {what}");
            poke();
            await Task.Delay(20);
        }
    }

    private static WebApplicationFactory<Program> With(ZenithApp app, ISyncEngine engine) =>
        app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(engine)));

    private static object Connector(string name) => new
    {
        name,
        source = new { uri = "mongodb://127.0.0.1:1/", database = "monitoring", collection = name },
        destination = new { uri = "http://127.0.0.1:1", database = "analytics", table = name },
        mode = "incremental_id",
        intervalSeconds = 3600,
    };

    /// <summary>Succeeds at once, counting the runs of each connector.</summary>
    private sealed class CountingEngine : ISyncEngine
    {
        private readonly ConcurrentDictionary<long, int> runs = new();

        public int Runs(long connectorId) => runs.GetValueOrDefault(connectorId);

        public Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken)
        {
            runs.AddOrUpdate(connector.Id, 1, (_, n) => n + 1);
            return Task.FromResult(new SyncRunResult(SyncOutcome.Succeeded, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null));
        }

        public Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
