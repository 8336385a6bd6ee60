using Dapper;
using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>The sync history people read in the dashboard: the last <c>retention.max_log_entries</c> lines.</summary>
public sealed class LogStore(MetadataDatabase database, IOptions<ZenithOptions> options, TimeProvider time)
{
    public async Task AppendAsync(LogSeverity level, long? connectorId, long? runId, string message, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(AppendSql, Parameters(level, connectorId, runId, message), cancellationToken: cancellationToken));
    }

    public void Append(LogSeverity level, long? connectorId, long? runId, string message)
    {
        using var connection = database.Open();
        connection.Execute(AppendSql, Parameters(level, connectorId, runId, message));
    }

    private const string AppendSql = """
        INSERT INTO logs (time, level, connector_id, run_id, message) VALUES (@now, @level, @connectorId, @runId, @message);
        DELETE FROM logs WHERE id <= (SELECT id FROM logs ORDER BY id DESC LIMIT 1 OFFSET @keep);
        """;

    private object Parameters(LogSeverity level, long? connectorId, long? runId, string message) => new
    {
        now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        level = DomainText.Text(level),
        connectorId,
        runId,
        message,
        keep = options.Value.Retention.MaxLogEntries,
    };

    /// <summary>Newest first; <paramref name="minimumLevel"/> keeps that level and the more severe ones.</summary>
    public async Task<IReadOnlyList<LogRecord>> ListAsync(long? connectorId, LogSeverity? minimumLevel, int limit, CancellationToken cancellationToken)
    {
        var levels = Enum.GetValues<LogSeverity>().Where(l => minimumLevel is null || l >= minimumLevel).Select(DomainText.Text).ToArray();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LogRow>(
            """
            SELECT id, time, level, connector_id, run_id, message FROM logs
            WHERE (@connectorId IS NULL OR connector_id = @connectorId) AND level IN @levels
            ORDER BY id DESC LIMIT @limit;
            """,
            new { connectorId, levels, limit });
        return rows.Select(r => new LogRecord(
            r.Id,
            DateTimeOffset.FromUnixTimeMilliseconds(r.Time),
            DomainText.Parse<LogSeverity>(r.Level),
            r.ConnectorId,
            r.RunId,
            r.Message)).ToList();
    }

    private sealed class LogRow
    {
        public long Id { get; set; }
        public long Time { get; set; }
        public string Level { get; set; } = "";
        public long? ConnectorId { get; set; }
        public long? RunId { get; set; }
        public string Message { get; set; } = "";
    }
}
