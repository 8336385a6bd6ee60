using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// Starts runs and keeps the two promises: at most <c>max_parallel_jobs</c> run at once, and one connector never runs
/// twice at once, in this process (one job per connector) or across processes (a lease in SQLite, <see cref="LeaseStore"/>).
/// Each run gets its own cancellation (pause, delete, shutdown), honoured by the engine between batches. A scheduled run that
/// waited for a slot while its connector was paused does not run. A change-stream run holds its slot only while it loads (or
/// reloads): once it applies the stream it gives the slot back and goes on in a lane of its own, so streams that never end do not
/// starve the other connectors; pause, delete and shutdown cancel it like any run (the engine stops between micro-batches).
/// (Over 300 lines: slots, lease, deadline and the streams' lane are one life cycle per run; the lease's rules are in
/// <see cref="RunLease"/> and <see cref="LeaseHolders"/>. Moving the lane to a class of its own is the next split.)
/// </summary>
public sealed class RunCoordinator(
    ISyncEngine engine,
    ConnectorStore connectors,
    RunStore runs,
    ICheckpointStore checkpoints,
    LeaseStore leases,
    SyncHistory history,
    ZenithMetrics metrics,
    ConnectorStates states,
    SchedulePolicy policy,
    SchedulerSignal signal,
    TimeProvider time,
    IOptions<ZenithOptions> settings,
    ILogger<RunCoordinator> logger) : IDisposable
{
    private readonly ConcurrentDictionary<long, Job> jobs = new();

    /// <summary>This coordinator as a lease holder: which process runs a connector, for the message another one prints.</summary>
    private readonly string holder = LeaseHolders.ThisProcess();
    private readonly ZenithOptions options = settings.Value;
    private readonly SemaphoreSlim slots = new(settings.Value.Processing.MaxParallelJobs, settings.Value.Processing.MaxParallelJobs);

    private readonly ConcurrentDictionary<long, bool> replacing = new();

    public bool IsRunning(long connectorId) => jobs.ContainsKey(connectorId);

    public int RunningCount => jobs.Count;

    /// <summary>Queues a run for the connector (<see cref="RunTrigger.Resync"/>: a reload into a new table); null when it already has one queued or running.</summary>
    public Task<RunRecord?> TryStartAsync(long connectorId, RunTrigger trigger, CancellationToken cancellationToken) =>
        replacing.ContainsKey(connectorId) ? Task.FromResult<RunRecord?>(null) : StartAsync(connectorId, trigger, cancellationToken);

    /// <summary>
    /// Stops the connector's run (a change stream never ends on its own) and queues one of <paramref name="trigger"/> in its place;
    /// null when another replacement is under way. The scheduler, woken by the stopped run's end, cannot start the stream again in
    /// between: its starts are refused meanwhile, and one that got in before is stopped too.
    /// </summary>
    public async Task<RunRecord?> ReplaceAsync(long connectorId, RunTrigger trigger, CancellationToken cancellationToken)
    {
        if (!replacing.TryAdd(connectorId, true))
        {
            return null;
        }

        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await CancelAsync(connectorId);
                var run = await StartAsync(connectorId, trigger, cancellationToken);
                if (run is not null || attempt == 2)
                {
                    return run;
                }
            }
        }
        finally
        {
            replacing.TryRemove(connectorId, out _);
        }
    }

    private async Task<RunRecord?> StartAsync(long connectorId, RunTrigger trigger, CancellationToken cancellationToken)
    {
        var job = new Job();
        if (!jobs.TryAdd(connectorId, job))
        {
            return null;
        }

        RunRecord run;
        try
        {
            run = await runs.CreateAsync(connectorId, trigger, time.GetUtcNow(), cancellationToken);
        }
        catch
        {
            jobs.TryRemove(new KeyValuePair<long, Job>(connectorId, job));
            job.Finished();
            throw;
        }

        // A pause or delete that arrives from here on finds the job and waits for this task's end.
        states.SetRunning(connectorId, true);
        _ = Task.Run(() => ExecuteAsync(connectorId, run, job), CancellationToken.None);
        return run;
    }

    /// <summary>Completes when the connector has no run queued or running (used by <c>zenith sync</c>).</summary>
    public Task WhenIdleAsync(long connectorId) => jobs.TryGetValue(connectorId, out var job) ? job.Completion : Task.CompletedTask;

    /// <summary>Cancels the connector's run, if any, and waits until it has stopped.</summary>
    public async Task CancelAsync(long connectorId)
    {
        if (jobs.TryGetValue(connectorId, out var job))
        {
            await job.Cancellation.CancelAsync();
            await job.Completion;
        }
    }

    /// <summary>Shutdown: every run stops between batches; the checkpoints stay where ClickHouse is.</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        var running = jobs.Values.ToList();
        if (running.Count == 0)
        {
            return;
        }

        var byConnector = jobs.ToList();
        logger.CancellingRuns(running.Count);
        foreach (var job in running)
        {
            await job.Cancellation.CancelAsync();
        }

        try
        {
            await Task.WhenAll(running.Select(j => j.Completion)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout is up: stop anyway. Checkpoints only ever trail what ClickHouse acknowledged, and
            // the next start-up closes the abandoned run rows; failing the host's stop would gain nothing.
            logger.RunsOutlivedShutdown(running.Count(j => !j.Completion.IsCompleted));

            // Their leases go with this process: the next one (a restart, often in the same second) must not wait them out.
            // A run that still reaches its next batch finds the lease gone and stops there.
            foreach (var (connectorId, job) in byConnector.Where(p => !p.Value.Completion.IsCompleted))
            {
                await leases.ReleaseAsync(connectorId, holder, CancellationToken.None);
            }
        }
    }

    public void Dispose() => slots.Dispose();

    /// <summary>Runs the job; whatever happens, the job ends (so pause, delete and shutdown never wait forever or see a fault).</summary>
    private async Task ExecuteAsync(long connectorId, RunRecord run, Job job)
    {
        try
        {
            await RunJobAsync(connectorId, run, job.Cancellation.Token);
        }
#pragma warning disable CA1031 // Nobody awaits a background run to observe its fault: log it, close the run row, keep the scheduler going.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.RunNotRecorded(e, connectorId, run.Id);
            await TryCloseAsync(run.Id);
        }
        finally
        {
            // Not stuck before not running: nobody may see a connector that is stuck but not running.
            states.SetStuck(connectorId, false);
            jobs.TryRemove(new KeyValuePair<long, Job>(connectorId, job));
            states.SetRunning(connectorId, false);
            job.Finished();
            signal.Wake();
        }
    }

    private async Task TryCloseAsync(long runId)
    {
        try
        {
            var empty = new SyncRunResult(SyncOutcome.Failed, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null);
            await runs.FinishAsync(runId, RunStatus.Failed, empty, time.GetUtcNow(), "Zenith could not record this run; see the service log.", null, CancellationToken.None);
        }
#pragma warning disable CA1031 // The metadata store is what failed; the next start-up closes the run (CloseAbandonedAsync).
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.RunNotRecorded(e, null, runId);
        }
    }

    private async Task RunJobAsync(long connectorId, RunRecord run, CancellationToken token)
    {
        try
        {
            await slots.WaitAsync(token);
            var slot = new Slot(slots);
            try
            {
                UnsealedConnector? connector;
                try
                {
                    connector = await connectors.UnsealAsync(connectorId, CancellationToken.None);
                }
                catch (CredentialsUnreadableException e)
                {
                    await UnreadableAsync(connectorId, run, e.Message);
                    return;
                }

                if (connector is null)
                {
                    return;
                }

                // The slot may have been a long wait: a pause that landed meanwhile is the user's newer word.
                if (run.Trigger is RunTrigger.Schedule or RunTrigger.Startup && connector.Connector.Status != ConnectorStatus.Active)
                {
                    await SkipAsync(connector.Connector, run, $"Run {run.Id} did not start: the connector was {DomainText.Text(connector.Connector.Status)} before it could.");
                    return;
                }

                var (lease, other) = await RunLease.TakeAsync(leases, connectorId, holder, time, token);
                if (lease is null)
                {
                    await SkipAsync(connector.Connector, run, RunLease.Busy(connector.Name, other!));
                    return;
                }

                await using (lease)
                {
                    await RunHeldAsync(connector, run, lease, slot);
                }
            }
            finally
            {
                slot.Release();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Cancelled while waiting for a slot: nothing ran.
            var empty = new SyncRunResult(SyncOutcome.Cancelled, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null);
            await runs.FinishAsync(run.Id, RunStatus.Cancelled, empty, time.GetUtcNow(), null, null, CancellationToken.None);
        }
    }

    /// <summary>
    /// The run, while this process holds the connector's lease (a lost lease cancels it) and within the run deadline. A change
    /// stream's deadline covers its load only: once it applies the stream it runs until stopped (a healthy stream never ends),
    /// and its own reads time out as any run's do.
    /// </summary>
    private async Task RunHeldAsync(UnsealedConnector connector, RunRecord run, RunLease lease, Slot slot)
    {
        await runs.MarkStartedAsync(run.Id, time.GetUtcNow(), CancellationToken.None);
        await history.RunStartedAsync(connector.Connector, run.Id, run.Trigger, CancellationToken.None);
        SyncRunResult result;
        bool streamed;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.Timeouts.RunSeconds), time))
        await using (var journal = new RunJournal(connector, run.Id, runs, history, metrics, logger, options.Retention.MaxLogEntries, time, states, () => StreamStarted(slot, deadline)))
        using (var stopping = CancellationTokenSource.CreateLinkedTokenSource(lease.Token, deadline.Token))
        using (deadline.Token.Register(() => PastDeadline(connector, run.Id)))
        {
            result = await RunEngineAsync(connector, run, journal, stopping.Token);
            streamed = journal.Streamed;
            if (deadline.IsCancellationRequested && !lease.Token.IsCancellationRequested && result.Outcome != SyncOutcome.Succeeded)
            {
                result = result with
                {
                    Outcome = SyncOutcome.Failed,
                    Error = $"The run did not finish within timeouts.run_seconds ({options.Timeouts.RunSeconds} s) and was stopped; the next run resumes from its checkpoint. "
                        + (result.Error is { } why and not "cancelled" ? $"When it stopped: {why}" : "Raise timeouts.run_seconds if runs this long are expected."),
                };
            }
        }

        if (!await lease.EndAsync())
        {
            result = result with { Outcome = SyncOutcome.Cancelled, Error = "Zenith lost this connector's lease (another process took it after it expired); the run stopped between batches." };
        }

        await FinishAsync(connector, run.Id, result, streamed);
    }

    /// <summary>
    /// A run that did not start: closed as cancelled with the reason, which the history tells too. It counts as an attempt, so
    /// the schedule tries again after the interval rather than at once; recorded before the run is closed, so whoever sees the
    /// run closed sees the attempt too.
    /// </summary>
    private async Task SkipAsync(StoredConnector connector, RunRecord run, string reason)
    {
        var now = time.GetUtcNow();
        var empty = new SyncRunResult(SyncOutcome.Cancelled, 0, 0, 0, 0, 0, TimeSpan.Zero, null, reason);
        await connectors.RecordAttemptAsync(connector.Id, now, CancellationToken.None);
        await runs.FinishAsync(run.Id, RunStatus.Cancelled, empty, now, reason, null, CancellationToken.None);
        await history.EventAsync(LogSeverity.Warning, connector.Id, reason, CancellationToken.None);
    }

        /// <summary>A change-stream run loaded and now applies the stream: it gives its batch slot back and the run deadline no longer applies.</summary>
    private static void StreamStarted(Slot slot, CancellationTokenSource deadline)
    {
        slot.Release();
        deadline.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The run passed its deadline: it is being stopped, and until it has stopped it is stuck (health, the connector, the gauge
    /// say so) — a driver call that ignores cancellation would otherwise hold its slot unseen.
    /// </summary>
    private void PastDeadline(UnsealedConnector connector, long runId)
    {
        states.SetStuck(connector.Id, true);
        logger.RunPastDeadline(connector.Name, runId, options.Timeouts.RunSeconds);
    }

    /// <summary>
    /// The connector's secrets cannot be decrypted: the run fails at once with what to do, and the connector (marked by the
    /// store) is not scheduled again until its passwords are entered; it does not count as a failed run of the connector itself.
    /// </summary>
    private async Task UnreadableAsync(long connectorId, RunRecord run, string message)
    {
        var now = time.GetUtcNow();
        var empty = new SyncRunResult(SyncOutcome.Failed, 0, 0, 0, 0, 0, TimeSpan.Zero, null, message);
        await runs.FinishAsync(run.Id, RunStatus.Failed, empty, now, message, null, CancellationToken.None);
        if (await connectors.GetSummaryAsync(connectorId, CancellationToken.None) is { } summary)
        {
            states.Set(summary);
            logger.CredentialsUnreadable(summary.Name, run.Id);
            await history.EventAsync(LogSeverity.Error, connectorId, $"Run {run.Id} failed: {message}", CancellationToken.None);
            metrics.RunFinished(summary.Name, SyncOutcome.Failed, TimeSpan.Zero);
        }
    }

    private async Task<SyncRunResult> RunEngineAsync(UnsealedConnector connector, RunRecord run, RunJournal observer, CancellationToken token)
    {
        var started = time.GetTimestamp();
        var runId = run.Id;
        try
        {
            var runOptions = new RunOptions(runId.ToString(CultureInfo.InvariantCulture), run.Trigger == RunTrigger.Resync);
            return await engine.RunAsync(connector.ToSpec(options.Processing.BatchSize), checkpoints, observer, runOptions, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var t = observer.Total;
            return new SyncRunResult(SyncOutcome.Cancelled, t.RowsRead, t.RowsWritten, t.RowsFailed, t.Batches, t.Bytes, time.GetElapsedTime(started), null, null);
        }
#pragma warning disable CA1031 // The engine promises not to throw; if it does, the run is a failure like any other, not a dead scheduler.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The exception's text (message, inner exceptions) may quote a connection string: only its scrubbed form is logged.
            logger.EngineThrew(connector.Name, runId, connector.Redact(e.ToString()));
            var t = observer.Total;
            var line = e.Message.Split('\n', 2)[0].Trim();
            return new SyncRunResult(SyncOutcome.Failed, t.RowsRead, t.RowsWritten, t.RowsFailed, t.Batches, t.Bytes, time.GetElapsedTime(started), null, line, ErrorDetail: e.ToString());
        }
    }

    /// <param name="streamed">The run got to applying its change stream: a failure after that counts as the stream's first.</param>
    private async Task FinishAsync(UnsealedConnector unsealed, long runId, SyncRunResult result, bool streamed)
    {
        var connector = unsealed.Connector;
        var error = result.Error is null ? null : unsealed.Redact(result.Error);
        var errorDetail = result.ErrorDetail is null ? null : unsealed.Redact(result.ErrorDetail);
        if (errorDetail is not null)
        {
            logger.RunFailureDetail(unsealed.Name, runId, errorDetail);
        }

        var status = result.Outcome switch
        {
            SyncOutcome.Succeeded => RunStatus.Succeeded,
            SyncOutcome.Failed => RunStatus.Failed,
            _ => RunStatus.Cancelled,
        };
        var now = time.GetUtcNow();
        await runs.FinishAsync(runId, status, result, now, error, errorDetail, CancellationToken.None);

        if (result.Outcome == SyncOutcome.Succeeded)
        {
            // A successful run checked everything: what it found replaces what the connector said before.
            await connectors.ReplaceWarningsAsync(connector.Id, result.Warnings ?? [], null, CancellationToken.None);
        }

        // Read the status again: the connector may have been paused while it ran.
        var current = await connectors.GetSummaryAsync(connector.Id, CancellationToken.None);
        if (current is not null)
        {
            var verdict = result.SourceGone && current.Status == ConnectorStatus.Active
                ? new RunVerdict(ConnectorStatus.Error, current.ConsecutiveFailures + 1, true)
                : policy.AfterRun(current.Status, streamed ? 0 : current.ConsecutiveFailures, result.Outcome);
            if (result.Outcome != SyncOutcome.Cancelled)
            {
                await connectors.RecordRunAsync(connector.Id, current, verdict.Status, verdict.ConsecutiveFailures, now, result.Outcome == SyncOutcome.Succeeded, CancellationToken.None);
                if (await connectors.GetSummaryAsync(connector.Id, CancellationToken.None) is { } recorded)
                {
                    states.Set(recorded);
                }
            }

            await history.RunFinishedAsync(connector, runId, result, error, errorDetail, CancellationToken.None);
            if (verdict.TurnedToError && result.SourceGone)
            {
                await history.EventAsync(LogSeverity.Error, connector.Id, $"Status changed to error: {error} Resume the connector to start it again.", CancellationToken.None);
            }
            else if (verdict.TurnedToError)
            {
                await history.TurnedToErrorAsync(connector, verdict.ConsecutiveFailures, CancellationToken.None);
            }
        }

        metrics.RunFinished(connector.Definition.Name, result.Outcome, result.Duration);
    }

    /// <summary>A run's batch slot, given back once: when a change stream starts applying, or when the run ends.</summary>
    private sealed class Slot(SemaphoreSlim slots)
    {
        private int released;

        public void Release()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

#pragma warning disable CA1001 // Cancel may race with the run's end; a source without timers holds nothing that needs Dispose.
    private sealed class Job
#pragma warning restore CA1001
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Completes (never faults) when the run has ended; exists from the moment the job is registered.</summary>
        public Task Completion => done.Task;

        public void Finished() => done.TrySetResult();
    }
}
