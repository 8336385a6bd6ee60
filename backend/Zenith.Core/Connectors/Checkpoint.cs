namespace Zenith.Core.Connectors;

/// <summary>
/// Where the next incremental run resumes. <paramref name="Value"/> is opaque to everyone but the engine (canonical extended
/// JSON of the cursor; empty when there is no position, e.g. after a reset); <paramref name="Display"/> is for people (API,
/// dashboard). A checkpoint is tied to what it means: <paramref name="Fingerprint"/> names the definition it was made for (mode,
/// cursor field, source and destination; see <c>CheckpointFingerprint</c>), so a store keeps it only for that definition and the
/// engine refuses it for another. <paramref name="VersionFloor"/> is the highest row-version base a run of the connector used:
/// later runs write higher versions whatever the clock says, and it survives a reset.
/// </summary>
public sealed record Checkpoint(string Value, string Display, string? Fingerprint = null, long VersionFloor = 0)
{
    public bool HasPosition => Value.Length > 0;

    /// <summary>No position (the next run starts from the beginning), for the definition <paramref name="fingerprint"/>.</summary>
    public static Checkpoint Reset(string? fingerprint, long versionFloor) => new(string.Empty, string.Empty, fingerprint, versionFloor);
}

/// <summary>Persists checkpoints. The engine calls <see cref="SaveAsync"/> only after ClickHouse acknowledged every row up to it.</summary>
public interface ICheckpointStore
{
    ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the checkpoint; one made for another definition than the stored one (a run that outlived an edit) is not stored,
    /// and the version floor never goes down.
    /// </summary>
    ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken);
}
