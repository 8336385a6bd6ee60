using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Zenith.Core.Connectors;
using Zenith.Service.Runs;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Scheduling;

/// <summary>
/// What the coordinator promises around a run, whatever the engine does: a run in progress refuses a second one (409),
/// pause and delete stop it before they answer, and an engine that throws fails the run without its text leaking.
/// The engine here is an in-process stand-in that holds a run open until cancelled (nothing that crosses a wire is
/// faked): the real engine's runs end too soon to hold one open on purpose.
/// </summary>
public sealed class RunLifecycleTests
{
    private const string Password = "Lifecycle-Pa55word";

    [Fact]
    public async Task A_held_run_is_409_for_sync_and_pause_and_delete_stop_it_before_answering()
    {
        var engine = new HoldingEngine();
        using var app = new ZenithApp();
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ISyncEngine>(engine)));
        using var client = host.CreateClient();

        var id = (await client.PostJsonAsync("/api/connectors", Connector("held"), expected: 201)).Number("id");
        await engine.Started.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var (conflict, problem) = await client.SendAsync(HttpMethod.Post, $"/api/connectors/{id}/sync");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already running", problem.Str("detail"), StringComparison.Ordinal);

        var paused = await client.PostJsonAsync($"/api/connectors/{id}/pause");
        Assert.Equal("paused", paused.Str("status"));
        Assert.False(paused["running"]!.GetValue<bool>());
        Assert.Equal("cancelled", paused["lastResult"].Str("status"));
        Assert.Equal(1, engine.CancelledRuns);

        engine.Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        await engine.Started.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/connectors/{id}")).StatusCode);
        Assert.Equal(2, engine.CancelledRuns); // stopped before DELETE answered
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/connectors/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{run.Number("id")}")).StatusCode);
    }

    [Fact]
    public async Task An_engine_that_throws_fails_the_run_and_its_text_never_carries_the_password()
    {
        using var app = new ZenithApp();
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ISyncEngine>(new ThrowingEngine())));
        using var client = host.CreateClient();

        var id = (await client.PostJsonAsync("/api/connectors", Connector("throws"), expected: 201)).Number("id");
        // The run row is closed just before the connector's failure count is recorded: wait for both.
        var connector = await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "failed" && c.Number("consecutiveFailures") == 1, "the run to fail and be counted");
        Assert.Contains("could not reach", connector["lastResult"].Str("error"), StringComparison.Ordinal);

        var logs = string.Join('\n', app.Logs.Lines);
        Assert.Contains("The sync engine threw", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, connector.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, (await client.GetJsonAsync("/api/logs")).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_outlives_the_shutdown_timeout_does_not_fail_the_stop()
    {
        var engine = new HoldingEngine { IgnoresCancellation = true };
        using var app = new ZenithApp();
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ISyncEngine>(engine)));
        using var client = host.CreateClient();
        await client.PostJsonAsync("/api/connectors", Connector("stubborn"), expected: 201);
        await engine.Started.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var coordinator = host.Services.GetRequiredService<RunCoordinator>();
        await coordinator.StopAllAsync(new CancellationToken(canceled: true)); // the shutdown timeout, already up
        Assert.Contains(app.Logs.Lines, l => l.Contains("did not stop within the shutdown timeout", StringComparison.Ordinal));

        engine.Release.TrySetResult();
        await coordinator.WhenIdleAsync(1).WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Issue 14, item 9: a run past its deadline is stopped; one that does not stop (a call that ignores cancellation) is
    /// reported stuck in the connector, health and the metrics while it holds its slot, and fails once it ends.
    /// </summary>
    [Fact]
    public async Task A_run_past_its_deadline_is_stopped_and_reported_stuck_until_it_ends()
    {
        var engine = new HoldingEngine { IgnoresCancellation = true };
        using var app = new ZenithApp(settings: new() { ["timeouts:run_seconds"] = "1" });
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ISyncEngine>(engine)));
        using var client = host.CreateClient();

        var id = (await client.PostJsonAsync("/api/connectors", Connector("stuck"), expected: 201)).Number("id");
        var stuck = await client.UntilAsync($"/api/connectors/{id}", c => c["stuck"]!.GetValue<bool>(), "the run to pass its deadline");
        Assert.True(stuck["running"]!.GetValue<bool>());
        Assert.Contains(stuck["warnings"]!.AsArray(), w => w.Str("kind") == "run_stuck" && w.Str("message")!.Contains("deadline", StringComparison.Ordinal));
        var (ready, health) = await client.SendAsync(HttpMethod.Get, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("stuck", health!["checks"]!["runs"].Str("description"), StringComparison.Ordinal);
        Assert.Contains("zenith_connector_stuck{otel_scope_name=\"Zenith\",connector=\"stuck\"} 1", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        engine.Release.TrySetResult();
        var ended = await client.UntilAsync($"/api/connectors/{id}", c => !c["running"]!.GetValue<bool>() && c["lastResult"].Str("status") == "failed", "the stuck run to end");
        Assert.False(ended["stuck"]!.GetValue<bool>());
        Assert.Contains("did not finish within timeouts.run_seconds (1 s)", ended["lastResult"].Str("error"), StringComparison.Ordinal);
        Assert.Equal(1, ended.Number("consecutiveFailures"));
        Assert.Equal("healthy", (await client.GetJsonAsync("/health/ready"))["checks"]!["runs"].Str("status"));
    }

    private static object Connector(string name) => new
    {
        name,
        source = new { uri = $"mongodb://app:{Password}@127.0.0.1:1/", database = "monitoring", collection = "visits" },
        destination = new { uri = $"http://default:{Password}@127.0.0.1:1", database = "analytics", table = "visits" },
        mode = "incremental_id",
        intervalSeconds = 3600,
    };

    private sealed class HoldingEngine : ISyncEngine
    {
        private int cancelled;

        public TaskCompletionSource Started { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int CancelledRuns => Volatile.Read(ref cancelled);

        /// <summary>An engine stuck in a call that does not take the token (a slow insert): it ends only on <see cref="Release"/>.</summary>
        public bool IgnoresCancellation { get; init; }

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            if (IgnoresCancellation)
            {
                await Release.Task;
                return new SyncRunResult(SyncOutcome.Cancelled, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
            }

            return new SyncRunResult(SyncOutcome.Cancelled, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null);
        }

        public Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class ThrowingEngine : ISyncEngine
    {
        public Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(
                "The source could not reach the server.",
                new IOException($"connect to {connector.Source.Uri} and {connector.Destination.Uri} failed"));

        public Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
