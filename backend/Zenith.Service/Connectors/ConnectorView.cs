using Zenith.Service.Domain;

namespace Zenith.Service.Connectors;

/// <summary>A connector with what the front ends show beside it. Its URIs are masked, as stored.</summary>
/// <param name="Running">A run is queued or running in this process.</param>
/// <param name="LastResult">The newest run, whatever its outcome.</param>
/// <param name="Checkpoint">Where the next run resumes, for people; null before the first committed batch.</param>
/// <param name="EffectiveBatchSize">The connector's batch size, or the configured default.</param>
/// <param name="Stuck">Its run passed the run deadline and has not stopped yet.</param>
public sealed record ConnectorView(StoredConnector Connector, bool Running, RunRecord? LastResult, string? Checkpoint, int EffectiveBatchSize, bool Stuck = false)
{
    /// <summary>What the user should fix, in words (the dashboard shows them beside the connector).</summary>
    public IReadOnlyList<string> Warnings =>
    [
        .. Connector.CredentialsUnreadable ? new[] { CredentialsUnreadableException.Sentence } : [],
        .. Stuck ? new[] { "The run passed its deadline (timeouts.run_seconds) and has not stopped yet; it holds one of the processing.max_parallel_jobs slots." } : [],
    ];
}
