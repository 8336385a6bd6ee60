using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Core.Verify;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// Runs verifications as background jobs on a concurrency limit of their own (<c>verification.max_parallel</c>), never one of
/// the sync slots: a verification never holds up a sync, and reads only. One per connector at a time; each can be cancelled
/// (by id, or all at shutdown). Progress is written to SQLite once a second while it runs.
/// </summary>
public sealed class VerificationCoordinator(
    IVerifier verifier,
    ConnectorStore connectors,
    ICheckpointStore checkpoints,
    VerificationStore store,
    VerificationStates states,
    SyncHistory history,
    TimeProvider time,
    IOptions<ZenithOptions> settings,
    ILogger<VerificationCoordinator> logger) : IDisposable
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<long, Job> jobs = new();
    private readonly SemaphoreSlim slots = new(settings.Value.Verification.MaxParallel, settings.Value.Verification.MaxParallel);

    public bool IsRunning(long connectorId) => jobs.ContainsKey(connectorId);

    /// <summary>Queues a verification of the connector; null when it already has one queued or running.</summary>
    public async Task<VerificationRecord?> TryStartAsync(long connectorId, VerificationTrigger trigger, int sampleSize, CancellationToken cancellationToken)
    {
        var job = new Job();
        if (!jobs.TryAdd(connectorId, job))
        {
            return null;
        }

        VerificationRecord verification;
        try
        {
            verification = await store.CreateAsync(connectorId, trigger, time.GetUtcNow(), cancellationToken);
        }
        catch
        {
            jobs.TryRemove(new KeyValuePair<long, Job>(connectorId, job));
            job.Finished();
            throw;
        }

        job.VerificationId = verification.Id;
        _ = Task.Run(() => ExecuteAsync(connectorId, verification.Id, sampleSize, job), CancellationToken.None);
        return verification;
    }

    /// <summary>Cancels the verification if it is queued or running, and waits until it has stopped; false if it is not.</summary>
    public async Task<bool> CancelAsync(long verificationId)
    {
        var job = jobs.Values.FirstOrDefault(j => j.VerificationId == verificationId);
        if (job is null)
        {
            return false;
        }

        await job.Cancellation.CancelAsync();
        await job.Completion;
        return true;
    }

    /// <summary>Completes when the connector has no verification queued or running.</summary>
    public Task WhenIdleAsync(long connectorId) => jobs.TryGetValue(connectorId, out var job) ? job.Completion : Task.CompletedTask;

    /// <summary>Shutdown: every verification stops; their rows say cancelled.</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        var running = jobs.Values.ToList();
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
            // The host's shutdown timeout is up; the next start-up closes the rows (CloseAbandonedAsync).
        }
    }

    public void Dispose() => slots.Dispose();

    private async Task ExecuteAsync(long connectorId, long verificationId, int sampleSize, Job job)
    {
        try
        {
            await RunAsync(connectorId, verificationId, sampleSize, job.Cancellation.Token);
        }
#pragma warning disable CA1031 // Nobody awaits a background verification: log it, close its row, keep the service going.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.VerificationNotRecorded(e, connectorId, verificationId);
            await TryCloseAsync(verificationId);
        }
        finally
        {
            jobs.TryRemove(new KeyValuePair<long, Job>(connectorId, job));
            job.Finished();
        }
    }

    private async Task TryCloseAsync(long verificationId)
    {
        try
        {
            await store.FinishAsync(verificationId, VerificationStatus.Failed, null, time.GetUtcNow(), "Zenith could not record this verification; see the service log.", CancellationToken.None);
        }
#pragma warning disable CA1031 // The metadata store is what failed; the next start-up closes the row.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task RunAsync(long connectorId, long verificationId, int sampleSize, CancellationToken token)
    {
        try
        {
            await slots.WaitAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await store.FinishAsync(verificationId, VerificationStatus.Cancelled, null, time.GetUtcNow(), "cancelled", CancellationToken.None);
            return;
        }

        try
        {
            UnsealedConnector? connector;
            try
            {
                connector = await connectors.UnsealAsync(connectorId, CancellationToken.None);
            }
            catch (CredentialsUnreadableException e)
            {
                await store.FinishAsync(verificationId, VerificationStatus.Failed, null, time.GetUtcNow(), e.Message, CancellationToken.None);
                return;
            }

            if (connector is null)
            {
                return;
            }

            await store.MarkStartedAsync(verificationId, time.GetUtcNow(), CancellationToken.None);
            var o = settings.Value.Verification;
            var options = new VerificationOptions { SampleSize = sampleSize, MaxReportedIds = o.MaxReportedIds, MaxDocumentsPerSecond = o.MaxDocumentsPerSecond };
            var spec = connector.ToSpec(settings.Value.Processing.BatchSize);
            var checkpoint = await checkpoints.LoadAsync(connectorId, CancellationToken.None);
            var observer = new LatestProgress();
            var verifying = verifier.VerifyAsync(spec, checkpoint, options, observer, token);
            while (!verifying.IsCompleted)
            {
                await Task.WhenAny(verifying, Task.Delay(ProgressEvery, time, CancellationToken.None));
                if (observer.Take() is { } progress)
                {
                    await store.UpdateProgressAsync(verificationId, progress, CancellationToken.None);
                }
            }

            await FinishAsync(connector, verificationId, await verifying);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task FinishAsync(UnsealedConnector connector, long verificationId, VerificationResult result)
    {
        var status = result.Outcome switch
        {
            VerificationOutcome.Succeeded => VerificationStatus.Succeeded,
            VerificationOutcome.Failed => VerificationStatus.Failed,
            _ => VerificationStatus.Cancelled,
        };
        var error = result.Error is null ? null : connector.Redact(result.Error);
        await store.FinishAsync(verificationId, status, result, time.GetUtcNow(), error, CancellationToken.None);
        if (await store.GetAsync(verificationId, CancellationToken.None) is { } finished)
        {
            states.Set(connector.Definition.Name, finished);
        }

        var summary = Summary(result, error);
        logger.VerificationFinished(connector.Definition.Name, verificationId, DomainText.Text(status), summary);
        var level = status == VerificationStatus.Succeeded && result.Report is { IsClean: true } ? LogSeverity.Info : status == VerificationStatus.Cancelled ? LogSeverity.Info : LogSeverity.Warning;
        await history.EventAsync(level, connector.Id, $"Verification {verificationId} {DomainText.Text(status)}: {summary}", CancellationToken.None);
    }

    private static string Summary(VerificationResult result, string? error)
    {
        if (result.Outcome != VerificationOutcome.Succeeded || result.Report is not { } r)
        {
            return error ?? "no report";
        }

        var ms = (long)result.Duration.TotalMilliseconds;
        return r.IsClean
            ? $"the table equals the collection ({r.SourceCount} documents, {r.Sampled} sampled, {r.Pending} pending) in {ms} ms."
            : $"{r.Missing} missing, {r.Extra} extra, {r.Stale} stale rows and {r.ValueMismatches} of {r.Sampled} sampled documents with other values ({r.SourceCount} documents, {r.DestinationCount} rows) in {ms} ms.";
    }

    /// <summary>Keeps the newest progress for the writer to store (the verifier's task must never wait on SQLite).</summary>
    private sealed class LatestProgress : IVerificationObserver
    {
        private readonly Lock gate = new();
        private VerificationProgress? latest;

        public void Progressed(VerificationProgress progress)
        {
            lock (gate)
            {
                latest = progress;
            }
        }

        public VerificationProgress? Take()
        {
            lock (gate)
            {
                var taken = latest;
                latest = null;
                return taken;
            }
        }
    }

#pragma warning disable CA1001 // Cancel may race with the job's end; a source without timers holds nothing that needs Dispose.
    private sealed class Job
#pragma warning restore CA1001
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long VerificationId { get; set; }

        public CancellationTokenSource Cancellation { get; } = new();

        public Task Completion => done.Task;

        public void Finished() => done.TrySetResult();
    }
}
