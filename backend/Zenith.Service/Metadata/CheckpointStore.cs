using Dapper;
using Zenith.Core.Connectors;

namespace Zenith.Service.Metadata;

/// <summary>The engine's checkpoints, one per connector, in the same SQLite file.</summary>
public sealed class CheckpointStore(MetadataDatabase database, TimeProvider time) : ICheckpointStore
{
    public async ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Value, string Display)?>(
            "SELECT value, display FROM checkpoints WHERE connector_id = @connectorId;", new { connectorId });
        return row is { } r ? new Checkpoint(r.Value, r.Display) : null;
    }

    public async ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await using var connection = await database.OpenAsync(cancellationToken);
        // A connector deleted mid-run has no row to hang the checkpoint on: nothing to save then.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO checkpoints (connector_id, value, display, updated_at)
            SELECT @connectorId, @Value, @Display, @now WHERE EXISTS (SELECT 1 FROM connectors WHERE id = @connectorId)
            ON CONFLICT (connector_id) DO UPDATE SET value = excluded.value, display = excluded.display, updated_at = excluded.updated_at;
            """,
            new { connectorId, checkpoint.Value, checkpoint.Display, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyDictionary<long, string>> DisplayAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long ConnectorId, string Display)>("SELECT connector_id, display FROM checkpoints;");
        return rows.ToDictionary(r => r.ConnectorId, r => r.Display);
    }
}
