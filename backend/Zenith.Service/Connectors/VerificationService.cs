using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;

namespace Zenith.Service.Connectors;

/// <summary>The verification use cases, with one behaviour for the API, the CLI's local mode and the schedulers.</summary>
public sealed class VerificationService(
    ConnectorStore connectors,
    VerificationStore store,
    VerificationCoordinator coordinator,
    RunCoordinator runs,
    RunStore runStore,
    IOptions<ZenithOptions> options)
{
    public const int MaxSampleSize = 100_000;

    /// <summary>Starts a verification now (in the background); a conflict while one of the connector's is queued or running.</summary>
    public async Task<UseCaseResult<VerificationRecord>> StartAsync(long connectorId, int? sampleSize, VerificationTrigger trigger, CancellationToken cancellationToken)
    {
        if (sampleSize is < 0 or > MaxSampleSize)
        {
            return UseCase.Invalid<VerificationRecord>("sampleSize", $"The sample size must be between 0 and {MaxSampleSize} (got {sampleSize}); 0 compares the ids only.");
        }

        if (await connectors.GetSummaryAsync(connectorId, cancellationToken) is not { } connector)
        {
            return UseCase.NotFound<VerificationRecord>();
        }

        return await coordinator.TryStartAsync(connectorId, trigger, sampleSize ?? options.Value.Verification.SampleSize, cancellationToken) is { } started
            ? UseCase.Ok(started)
            : UseCase.Conflict<VerificationRecord>($"Connector {connector.Name} is already being verified");
    }

    /// <summary>The connector's verifications, newest first; null when there is no such connector.</summary>
    public async Task<IReadOnlyList<VerificationRecord>?> ListAsync(long connectorId, int limit, CancellationToken cancellationToken) =>
        await connectors.GetSummaryAsync(connectorId, cancellationToken) is null ? null : await store.ListAsync(connectorId, limit, cancellationToken);

    public Task<VerificationRecord?> GetAsync(long id, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken);

    /// <summary>Stops a queued or running verification and returns it as it ended; a conflict when it had already finished.</summary>
    public async Task<UseCaseResult<VerificationRecord>> CancelAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } verification)
        {
            return UseCase.NotFound<VerificationRecord>();
        }

        if (!await coordinator.CancelAsync(id))
        {
            return verification.IsFinished
                ? UseCase.Conflict<VerificationRecord>($"Verification {id} has already finished ({DomainText.Text(verification.Status)})")
                : UseCase.Conflict<VerificationRecord>($"Verification {id} is not running in this process");
        }

        return UseCase.Ok((await store.GetAsync(id, cancellationToken))!);
    }

    /// <summary>Completes when the connector has no verification queued or running (the CLI waits for its own).</summary>
    public Task WhenIdleAsync(long connectorId) => coordinator.WhenIdleAsync(connectorId);

    /// <summary>
    /// Verifies the connector once its run <paramref name="runId"/> has ended, if it succeeded: the automatic verification after a
    /// resync (trigger <c>resync</c>). Returns at once; the wait happens in the background.
    /// </summary>
    public void VerifyAfterRun(long connectorId, long runId) => _ = Task.Run(
        async () =>
        {
            await runs.WhenIdleAsync(connectorId);
            if (await runStore.GetAsync(runId, CancellationToken.None) is { Status: RunStatus.Succeeded })
            {
                await coordinator.TryStartAsync(connectorId, VerificationTrigger.Resync, options.Value.Verification.SampleSize, CancellationToken.None);
            }
        },
        CancellationToken.None);
}
