using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Tests;

/// <summary>A change-stream run going in the background until stopped (cancelled), with what it reported.</summary>
public sealed class LiveRun : IAsyncDisposable
{
    private readonly SyncEngine _engine;
    private readonly ConnectorSpec _connector;
    private readonly ICheckpointStore _store;
    private readonly StreamObserver _observer;
    private readonly CancellationTokenSource _stop = new();
    private Task<SyncRunResult>? _run;

    private LiveRun(SyncEngine engine, ConnectorSpec connector, ICheckpointStore store, ISyncObserver? inner)
    {
        _engine = engine;
        _connector = connector;
        _store = store;
        _observer = new StreamObserver(inner ?? new RecordingObserver());
    }

    public ConnectorSpec Connector => _connector;

    public Task<SyncRunResult> Completion => _run ?? throw new InvalidOperationException("the run has not begun");

    public static Task<LiveRun> StartAsync(SyncEngine engine, ConnectorSpec connector, ICheckpointStore store, ISyncObserver? observer = null) =>
        Task.FromResult(new LiveRun(engine, connector, store, observer));

    /// <summary>Starts the run (after the test wrote what the initial load should find).</summary>
    public void Begin() => _run = Task.Run(() => _engine.RunAsync(_connector, _store, _observer, _stop.Token));

    public Task WaitUntilStreamingAsync() => Poll.UntilAsync(() => Task.FromResult(_observer.Streaming || Completion.IsCompleted), "the stream to start", () => Failure());

    /// <summary>Waits until the current-rows view equals the collection, value by value.</summary>
    public async Task WaitUntilEqualAsync(Servers servers, IReadOnlyList<string> fields)
    {
        string? last = null;
        await Poll.UntilAsync(
            async () => Completion.IsCompleted || (last = await TableAssert.DifferenceAsync(servers, _connector, fields, Ddl.CurrentViewName(_connector.Destination.Table))) is null,
            "the current-rows view to equal the collection",
            () => Failure() ?? last);
        Assert.False(Completion.IsCompleted, Failure());
    }

    public string? Failure() => Completion.IsCompleted ? $"the run ended: {Completion.Result.Outcome} {Completion.Result.Error}" : null;

    public async Task StopAsync()
    {
        if (_run is null)
        {
            return;
        }

        await _stop.CancelAsync();
        var result = await _run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Outcome is SyncOutcome.Cancelled || (result.Outcome == SyncOutcome.Failed && result.SourceGone), result.Error);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        _stop.Dispose();
    }

    private sealed class StreamObserver(ISyncObserver inner) : ISyncObserver
    {
        public volatile bool Streaming;

        public void BatchCommitted(SyncProgress batch, SyncProgress total) => inner.BatchCommitted(batch, total);

        public void DocumentFailed(string documentId, string reason) => inner.DocumentFailed(documentId, reason);

        public void Note(string message) => inner.Note(message);

        public void StreamStarted() => Streaming = true;
    }
}

/// <summary>Waits for a condition, asking it again every 50 ms, up to two minutes (as the service tests' waits).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, Func<string?>? detail = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}: {detail?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }
}
