using Dapper;
using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>
/// The sync history people read in the dashboard: the last <c>retention.max_log_entries</c> lines of each connector (and as many
/// of the service's own), so one connector's flood never prunes another's history.
/// </summary>
public sealed class LogStore(MetadataDatabase database, IOptions<ZenithOptions> options, TimeProvider time)
{
    public Task AppendAsync(LogSeverity level, long? connectorId, long? runId, string message, CancellationToken cancellationToken) =>
        AppendAsync([new LogEntry(time.GetUtcNow(), level, connectorId, runId, message)], cancellationToken);

    /// <summary>Appends lines in one transaction and prunes each connector they name once; lines the prune would drop at once are not written.</summary>
    public async Task AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var keep = options.Value.Retention.MaxLogEntries;
        if (entries.Count == 0)
        {
            return;
        }

        var kept = entries.Select((e, i) => (Entry: e, Index: i)).GroupBy(e => e.Entry.ConnectorId).SelectMany(g => g.TakeLast(keep)).OrderBy(e => e.Index).Select(e => e.Entry);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var e in kept)
        {
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO logs (time, level, connector_id, run_id, message) VALUES (@Time, @Level, @ConnectorId, @RunId, @Message) RETURNING id;",
                new { Time = e.Time.ToUnixTimeMilliseconds(), Level = DomainText.Text(e.Level), e.ConnectorId, e.RunId, e.Message },
                transaction,
                cancellationToken: cancellationToken));
            if (e.Detail is { } detail)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO log_details (log_id, detail) VALUES (@id, @detail);", new { id, detail }, transaction, cancellationToken: cancellationToken));
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM logs WHERE connector_id IS @connectorId
                AND id <= (SELECT id FROM logs WHERE connector_id IS @connectorId ORDER BY id DESC LIMIT 1 OFFSET @keep);
            """,
            entries.Select(e => e.ConnectorId).Distinct().Select(connectorId => new { connectorId, keep }),
            transaction,
            cancellationToken: cancellationToken));
        // A failure's detail is kilobytes: the newest lines that have one keep it, the others their short message.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM log_details WHERE log_id IN (SELECT log_id FROM log_details ORDER BY log_id DESC LIMIT -1 OFFSET @keepDetails)
                OR log_id NOT IN (SELECT id FROM logs);
            """,
            new { keepDetails = KeepDetails }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Lines whose failure keeps the drivers' text: the newest ones.</summary>
    public const int KeepDetails = 50;

    /// <summary>Newest first; <paramref name="minimumLevel"/> keeps that level and the more severe ones.</summary>
    public async Task<IReadOnlyList<LogRecord>> ListAsync(long? connectorId, LogSeverity? minimumLevel, int limit, CancellationToken cancellationToken)
    {
        var levels = Enum.GetValues<LogSeverity>().Where(l => minimumLevel is null || l >= minimumLevel).Select(DomainText.Text).ToArray();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LogRow>(new CommandDefinition(
            """
            SELECT id, time, level, connector_id, run_id, message, (SELECT detail FROM log_details WHERE log_id = logs.id) AS detail FROM logs
            WHERE (@connectorId IS NULL OR connector_id = @connectorId) AND level IN @levels
            ORDER BY id DESC LIMIT @limit;
            """,
            new { connectorId, levels, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new LogRecord(
            r.Id,
            DateTimeOffset.FromUnixTimeMilliseconds(r.Time),
            DomainText.Parse<LogSeverity>(r.Level),
            r.ConnectorId,
            r.RunId,
            r.Message,
            r.Detail)).ToList();
    }

    private sealed class LogRow
    {
        public long Id { get; set; }
        public long Time { get; set; }
        public string Level { get; set; } = "";
        public long? ConnectorId { get; set; }
        public long? RunId { get; set; }
        public string Message { get; set; } = "";
        public string? Detail { get; set; }
    }
}
