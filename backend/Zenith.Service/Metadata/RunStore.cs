using Dapper;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>The run history: one row per run, updated live while it goes, bounded per connector.</summary>
public sealed class RunStore(MetadataDatabase database, IOptions<ZenithOptions> options)
{
    private const string Columns = "id, connector_id, trigger, status, started_at, finished_at, rows_read, rows_written, rows_failed, batches, bytes, duration_ms, error, (SELECT detail FROM run_details WHERE run_id = runs.id) AS error_detail, estimated_rows, progress_at";

    public async Task<RunRecord> CreateAsync(long connectorId, RunTrigger trigger, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO runs (connector_id, trigger, status, started_at) VALUES (@connectorId, @trigger, @status, @at) RETURNING id;",
            new { connectorId, trigger = DomainText.Text(trigger), status = DomainText.Text(RunStatus.Queued), at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return new RunRecord(id, connectorId, trigger, RunStatus.Queued, at, null, 0, 0, 0, 0, 0, null, null);
    }

    public async Task MarkStartedAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET status = 'running', started_at = @at WHERE id = @runId;",
            new { runId, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>Live numbers while a run goes (written by its journal after inserts, off the pipeline), as of <paramref name="at"/>.</summary>
    public async Task UpdateProgressAsync(long runId, SyncProgress total, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE runs SET rows_read = @RowsRead, rows_written = @RowsWritten, rows_failed = @RowsFailed, batches = @Batches, bytes = @Bytes,
                progress_at = @at WHERE id = @runId;
            """,
            new { runId, total.RowsRead, total.RowsWritten, total.RowsFailed, total.Batches, total.Bytes, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>The size a run that reads the whole collection is measured against (told once, when it starts reading).</summary>
    public async Task SetEstimateAsync(long runId, long estimatedRows, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET estimated_rows = @estimatedRows WHERE id = @runId;", new { runId, estimatedRows }, cancellationToken: cancellationToken));
    }

    /// <param name="errorDetail">The drivers' text behind <paramref name="error"/>, passwords masked.</param>
    public async Task FinishAsync(long runId, RunStatus status, SyncRunResult result, DateTimeOffset finishedAt, string? error, string? errorDetail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var connection = await database.OpenAsync(cancellationToken);
        var connectorId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            UPDATE runs SET status = @status, finished_at = @finished, rows_read = @RowsRead, rows_written = @RowsWritten,
                rows_failed = @RowsFailed, batches = @Batches, bytes = @Bytes, duration_ms = @durationMs, error = @error
            WHERE id = @runId RETURNING connector_id;
            """,
            new
            {
                runId,
                status = DomainText.Text(status),
                finished = finishedAt.ToUnixTimeMilliseconds(),
                result.RowsRead,
                result.RowsWritten,
                result.RowsFailed,
                result.Batches,
                result.Bytes,
                durationMs = (long)result.Duration.TotalMilliseconds,
                error,
            }, cancellationToken: cancellationToken));
        if (errorDetail is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT OR REPLACE INTO run_details (run_id, detail) VALUES (@runId, @errorDetail);", new { runId, errorDetail }, cancellationToken: cancellationToken));
        }

        await PruneAsync(connection, connectorId, cancellationToken);
    }

    /// <summary>Runs left <c>queued</c>/<c>running</c> by a process that died: they did not finish.</summary>
    public async Task<int> CloseAbandonedAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET status = 'cancelled', finished_at = @at, error = 'The service stopped before this run finished.' WHERE status IN ('queued', 'running');",
            new { at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<RunRecord?> GetAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition($"SELECT {Columns} FROM runs WHERE id = @runId;", new { runId }, cancellationToken: cancellationToken));
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(long connectorId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runs WHERE connector_id = @connectorId ORDER BY id DESC LIMIT @limit;", new { connectorId, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>The newest run of each connector, for the connector list.</summary>
    public async Task<IReadOnlyDictionary<long, RunRecord>> LatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {Columns} FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY connector_id);", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ConnectorId, r => r.ToModel());
    }

    /// <summary>Runs per connector whose error keeps its detail: the ones a person looks at when something just broke.</summary>
    public const int KeepDetails = 10;

    private async Task PruneAsync(System.Data.Common.DbConnection connection, long connectorId, CancellationToken cancellationToken)
    {
        var keep = options.Value.Retention.MaxRunsPerConnector;
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM runs WHERE connector_id = @connectorId AND id <= (
                SELECT id FROM runs WHERE connector_id = @connectorId ORDER BY id DESC LIMIT 1 OFFSET @keep);
            """,
            new { connectorId, keep }, cancellationToken: cancellationToken));
        // The drivers' text of a failure is kilobytes: only the latest runs keep it (their short error stays for good).
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM run_details WHERE run_id IN (SELECT id FROM runs WHERE connector_id = @connectorId ORDER BY id DESC LIMIT -1 OFFSET @keepDetails)
                OR run_id NOT IN (SELECT id FROM runs);
            """,
            new { connectorId, keepDetails = KeepDetails }, cancellationToken: cancellationToken));
        if (deleted > 0)
        {
            // auto_vacuum = INCREMENTAL: give a few freed pages back so the file shrinks after bursts.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA incremental_vacuum(64);", cancellationToken: cancellationToken));
        }
    }

    private sealed class RunRow
    {
        public long Id { get; set; }
        public long ConnectorId { get; set; }
        public string Trigger { get; set; } = "";
        public string Status { get; set; } = "";
        public long StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public long RowsRead { get; set; }
        public long RowsWritten { get; set; }
        public long RowsFailed { get; set; }
        public long Batches { get; set; }
        public long Bytes { get; set; }
        public long? DurationMs { get; set; }
        public string? Error { get; set; }
        public string? ErrorDetail { get; set; }
        public long? EstimatedRows { get; set; }
        public long? ProgressAt { get; set; }

        public RunRecord ToModel() => new(
            Id,
            ConnectorId,
            DomainText.Parse<RunTrigger>(Trigger),
            DomainText.Parse<RunStatus>(Status),
            DateTimeOffset.FromUnixTimeMilliseconds(StartedAt),
            UnixTime.From(FinishedAt),
            RowsRead,
            RowsWritten,
            RowsFailed,
            Batches,
            Bytes,
            DurationMs,
            Error,
            ErrorDetail,
            EstimatedRows,
            UnixTime.From(ProgressAt));
    }
}
