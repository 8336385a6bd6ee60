using Dapper;

namespace Zenith.Service.Metadata;

/// <summary>Who runs a connector now, and until when their lease holds unless renewed.</summary>
public sealed record LeaseHolder(string Holder, DateTimeOffset ExpiresAt);

/// <summary>
/// One lease per connector in SQLite, taken by whichever process runs it (the service or the CLI): a second runner is refused
/// until the holder releases it, or its lease expires because it died. The holder renews it while the run goes.
/// </summary>
public sealed class LeaseStore(MetadataDatabase database, TimeProvider time)
{
    /// <summary>How long a lease holds without a renewal: a dead holder blocks the connector this long at most.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    /// <summary>Takes the lease for <paramref name="holder"/>; null when taken, else who holds it.</summary>
    public async Task<LeaseHolder?> TryAcquireAsync(long connectorId, string holder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO leases (connector_id, holder, expires_at) SELECT @connectorId, @holder, @until WHERE EXISTS (SELECT 1 FROM connectors WHERE id = @connectorId)
            ON CONFLICT (connector_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.expires_at <= @now OR leases.holder = excluded.holder;
            """,
            new { connectorId, holder, until = (now + Duration).ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        var current = await connection.QuerySingleOrDefaultAsync<(string Holder, long ExpiresAt)?>(new CommandDefinition(
            "SELECT holder, expires_at FROM leases WHERE connector_id = @connectorId;", new { connectorId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return current is { } c && c.Holder != holder ? new LeaseHolder(c.Holder, DateTimeOffset.FromUnixTimeMilliseconds(c.ExpiresAt)) : null;
    }

    /// <summary>Extends the holder's lease; false when it no longer holds it (it expired and another process took it).</summary>
    public async Task<bool> RenewAsync(long connectorId, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leases SET expires_at = @until WHERE connector_id = @connectorId AND holder = @holder;",
            new { connectorId, holder, until = (time.GetUtcNow() + Duration).ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Frees a lease whose holder is known to be gone; false when someone else holds it by now.</summary>
    public async Task<bool> BreakAsync(long connectorId, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE connector_id = @connectorId AND holder = @holder;", new { connectorId, holder }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task ReleaseAsync(long connectorId, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE connector_id = @connectorId AND holder = @holder;", new { connectorId, holder }, cancellationToken: cancellationToken));
    }
}
