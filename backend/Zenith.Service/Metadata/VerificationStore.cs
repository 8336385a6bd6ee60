using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Zenith.Core.Verify;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>Verifications in SQLite: one row each, its progress while it runs, its report when it ends; bounded per connector.</summary>
public sealed class VerificationStore(MetadataDatabase database, IOptions<ZenithOptions> options)
{
    private const string Columns = "id, connector_id, trigger, status, started_at, finished_at, phase, ids_compared, estimated_total, duration_ms, report, error";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<VerificationRecord> CreateAsync(long connectorId, VerificationTrigger trigger, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO verifications (connector_id, trigger, status, started_at) VALUES (@connectorId, @trigger, 'queued', @at) RETURNING id;",
            new { connectorId, trigger = DomainText.Text(trigger), at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return new VerificationRecord(id, connectorId, trigger, VerificationStatus.Queued, at, null, "queued", 0, 0, null, null, null);
    }

    public async Task MarkStartedAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE verifications SET status = 'running', started_at = @at WHERE id = @id;", new { id, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task UpdateProgressAsync(long id, VerificationProgress progress, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE verifications SET phase = @Phase, ids_compared = @IdsCompared, estimated_total = @EstimatedTotal WHERE id = @id AND status = 'running';",
            new { id, progress.Phase, progress.IdsCompared, progress.EstimatedTotal }, cancellationToken: cancellationToken));
    }

    public async Task FinishAsync(long id, VerificationStatus status, VerificationResult? result, DateTimeOffset at, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var connectorId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            UPDATE verifications SET status = @status, finished_at = @at, phase = 'done', ids_compared = @compared, duration_ms = @durationMs,
                report = @report, error = @error
            WHERE id = @id RETURNING connector_id;
            """,
            new
            {
                id,
                status = DomainText.Text(status),
                at = at.ToUnixTimeMilliseconds(),
                compared = result?.IdsCompared ?? 0,
                durationMs = result is null ? (long?)null : (long)result.Duration.TotalMilliseconds,
                report = result?.Report is { } report ? JsonSerializer.Serialize(report, Json) : null,
                error,
            }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM verifications WHERE connector_id = @connectorId AND id <= (
                SELECT id FROM verifications WHERE connector_id = @connectorId ORDER BY id DESC LIMIT 1 OFFSET @keep);
            """,
            new { connectorId, keep = options.Value.Retention.MaxVerificationsPerConnector }, cancellationToken: cancellationToken));
    }

    /// <summary>Verifications left queued or running by a process that died: they did not finish.</summary>
    public async Task<int> CloseAbandonedAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE verifications SET status = 'cancelled', finished_at = @at, phase = 'done', error = 'The service stopped before this verification finished.' WHERE status IN ('queued', 'running');",
            new { at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<VerificationRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM verifications WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<VerificationRecord>> ListAsync(long connectorId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM verifications WHERE connector_id = @connectorId ORDER BY id DESC LIMIT @limit;", new { connectorId, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <summary>The newest verification of each connector (the scheduler's due times), and the newest finished one (the gauges).</summary>
    public async Task<IReadOnlyList<VerificationRecord>> LatestAsync(bool finishedOnly, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var condition = finishedOnly ? "WHERE status IN ('succeeded', 'failed', 'cancelled')" : "";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM verifications WHERE id IN (SELECT MAX(id) FROM verifications {condition} GROUP BY connector_id);", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <summary>The connectors verified on a schedule: id, status and interval (no secret is read).</summary>
    public async Task<IReadOnlyList<(long Id, ConnectorStatus Status, int Interval)>> VerifyIntervalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Status, long Interval)>(new CommandDefinition(
            "SELECT id, sync_status, verify_interval_seconds FROM connectors WHERE verify_interval_seconds IS NOT NULL;", cancellationToken: cancellationToken));
        return [.. rows.Select(r => (r.Id, DomainText.Parse<ConnectorStatus>(r.Status), (int)r.Interval))];
    }

    private sealed class Row
    {
        public long Id { get; set; }
        public long ConnectorId { get; set; }
        public string Trigger { get; set; } = "";
        public string Status { get; set; } = "";
        public long StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public string Phase { get; set; } = "";
        public long IdsCompared { get; set; }
        public long EstimatedTotal { get; set; }
        public long? DurationMs { get; set; }
        public string? Report { get; set; }
        public string? Error { get; set; }

        public VerificationRecord ToModel() => new(
            Id,
            ConnectorId,
            DomainText.Parse<VerificationTrigger>(Trigger),
            DomainText.Parse<VerificationStatus>(Status),
            DateTimeOffset.FromUnixTimeMilliseconds(StartedAt),
            UnixTime.From(FinishedAt),
            Phase,
            IdsCompared,
            EstimatedTotal,
            DurationMs,
            Report is null ? null : JsonSerializer.Deserialize<VerificationReport>(Report, Json),
            Error);
    }
}
