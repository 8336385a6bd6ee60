using Zenith.Service.Domain;

namespace Zenith.Service.Connectors;

/// <summary>A connector with what the front ends show beside it. Its URIs hold real passwords: mask them on the way out.</summary>
/// <param name="Running">A run is queued or running in this process.</param>
/// <param name="LastResult">The newest run, whatever its outcome.</param>
/// <param name="Checkpoint">Where the next run resumes, for people; null before the first committed batch.</param>
/// <param name="EffectiveBatchSize">The connector's batch size, or the configured default.</param>
/// <param name="CheckpointReset">After an edit: whether it reset the checkpoint (null for other answers).</param>
/// <param name="Message">After an edit or a reset: what happened to the checkpoint, for a person.</param>
public sealed record ConnectorView(
    StoredConnector Connector,
    bool Running,
    RunRecord? LastResult,
    string? Checkpoint,
    int EffectiveBatchSize,
    bool? CheckpointReset = null,
    string? Message = null);
