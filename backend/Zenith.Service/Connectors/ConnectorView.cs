using Zenith.Core.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Connectors;

/// <summary>A connector with what the front ends show beside it. Its URIs are masked, as stored.</summary>
/// <param name="Running">A run is queued or running in this process.</param>
/// <param name="LastResult">The newest run, whatever its outcome.</param>
/// <param name="Checkpoint">Where the next run resumes, for people; null before the first committed batch.</param>
/// <param name="EffectiveBatchSize">The connector's batch size, or the configured default.</param>
/// <param name="Stuck">Its run passed the run deadline and has not stopped yet.</param>
/// <param name="CheckpointReset">After an edit: whether it reset the checkpoint (null for other answers).</param>
/// <param name="Message">After an edit or a reset: what happened to the checkpoint, for a person.</param>
public sealed record ConnectorView(
    StoredConnector Connector,
    bool Running,
    RunRecord? LastResult,
    string? Checkpoint,
    int EffectiveBatchSize,
    bool Stuck = false,
    bool? CheckpointReset = null,
    string? Message = null)
{
    /// <summary>change_stream, while it applies the stream: seconds behind (now − the cluster time applied up to); else null.</summary>
    public double? LagSeconds { get; init; }

    /// <summary>change_stream, while it applies the stream: whether its last getMore found nothing more waiting; else null.</summary>
    public bool? CaughtUp { get; init; }

    /// <summary>What the user should fix (the dashboard shows them beside the connector): the runs' findings, then the service's.</summary>
    public IReadOnlyList<SyncWarning> Warnings =>
    [
        .. Connector.Warnings,
        .. Connector.CredentialsUnreadable ? new[] { new SyncWarning(SyncWarningKind.CredentialsUnreadable, CredentialsUnreadableException.Sentence) } : [],
        .. Stuck ? new[] { new SyncWarning(SyncWarningKind.RunStuck, "The run passed its deadline (timeouts.run_seconds) and has not stopped yet; it holds one of the processing.max_parallel_jobs slots.") } : [],
    ];
}
