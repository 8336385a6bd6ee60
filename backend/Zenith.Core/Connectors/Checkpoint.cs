namespace Zenith.Core.Connectors;

/// <summary>
/// Where the next incremental run resumes. <paramref name="Value"/> is opaque to everyone but the
/// engine (canonical extended JSON of the cursor); <paramref name="Display"/> is for people (API, dashboard).
/// </summary>
public sealed record Checkpoint(string Value, string Display);

/// <summary>Persists checkpoints. The engine calls <see cref="SaveAsync"/> only after ClickHouse acknowledged every row up to it.</summary>
public interface ICheckpointStore
{
    ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken);

    ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken);
}
