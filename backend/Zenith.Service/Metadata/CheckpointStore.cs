using Dapper;
using Zenith.Core.Connectors;

namespace Zenith.Service.Metadata;

/// <summary>
/// The engine's checkpoints, one per connector, in the same SQLite file. Each row names the definition its position was made for
/// (its fingerprint): a save made for another one (a run that outlived an edit) is not stored, and the version floor only grows.
/// </summary>
public sealed class CheckpointStore(MetadataDatabase database, TimeProvider time) : ICheckpointStore
{
    public async ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Value, string Display, string? Fingerprint, long VersionFloor)?>(new CommandDefinition(
            "SELECT value, display, fingerprint, version_floor FROM checkpoints WHERE connector_id = @connectorId;", new { connectorId }, cancellationToken: cancellationToken));
        return row is { } r ? new Checkpoint(r.Value, r.Display, r.Fingerprint, r.VersionFloor) : null;
    }

    public async ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await using var connection = await database.OpenAsync(cancellationToken);
        // A connector deleted mid-run has no row to hang the checkpoint on: nothing to save then.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO checkpoints (connector_id, value, display, fingerprint, version_floor, updated_at)
            SELECT @connectorId, @Value, @Display, @Fingerprint, @VersionFloor, @now WHERE EXISTS (SELECT 1 FROM connectors WHERE id = @connectorId)
            ON CONFLICT (connector_id) DO UPDATE SET value = excluded.value, display = excluded.display,
                fingerprint = COALESCE(excluded.fingerprint, fingerprint), version_floor = MAX(version_floor, excluded.version_floor), updated_at = excluded.updated_at
            WHERE checkpoints.fingerprint IS NULL OR excluded.fingerprint IS NULL OR checkpoints.fingerprint = excluded.fingerprint;
            """,
            new { connectorId, checkpoint.Value, checkpoint.Display, checkpoint.Fingerprint, checkpoint.VersionFloor, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Forgets the position (the next run starts from the beginning) and ties the row to <paramref name="fingerprint"/>, the
    /// definition from now on; the version floor stays. True when there was a position to forget.
    /// </summary>
    public async Task<bool> ResetAsync(long connectorId, string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var had = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM checkpoints WHERE connector_id = @connectorId AND value != '';", new { connectorId }, transaction, cancellationToken: cancellationToken)) > 0;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO checkpoints (connector_id, value, display, fingerprint, version_floor, updated_at)
            SELECT @connectorId, '', '', @fingerprint, 0, @now WHERE EXISTS (SELECT 1 FROM connectors WHERE id = @connectorId)
            ON CONFLICT (connector_id) DO UPDATE SET value = '', display = '', fingerprint = excluded.fingerprint, updated_at = excluded.updated_at;
            """,
            new { connectorId, fingerprint, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return had;
    }

    /// <summary>The readable position of every connector that has one.</summary>
    public async Task<IReadOnlyDictionary<long, string>> DisplayAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long ConnectorId, string Display)>(new CommandDefinition(
            "SELECT connector_id, display FROM checkpoints WHERE value != '';", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ConnectorId, r => r.Display);
    }
}
