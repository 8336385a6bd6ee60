using Zenith.Core.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// Writes what happens to a connector both to the console log and to the bounded SQLite log people read. A run's own lines
/// (failed documents, notes) are only made here; its <see cref="RunJournal"/> buffers and stores them off the pipeline.
/// </summary>
public sealed class SyncHistory(LogStore store, TimeProvider time, ILogger<SyncHistory> logger)
{
    public Task RunStartedAsync(StoredConnector connector, long runId, RunTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        logger.RunStarted(connector.Definition.Name, runId, trigger);
        return store.AppendAsync(LogSeverity.Info, connector.Id, runId, $"Run {runId} started ({DomainText.Text(trigger)}).", cancellationToken);
    }

    /// <param name="error">The run's error as one short line; <paramref name="errorDetail"/> the drivers' text behind it (both masked).</param>
    public Task RunFinishedAsync(StoredConnector connector, long runId, SyncRunResult result, string? error, string? errorDetail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(result);
        var name = connector.Definition.Name;
        var ms = (long)result.Duration.TotalMilliseconds;
        logger.RunFinished(name, runId, result.Outcome, result.RowsRead, result.RowsWritten, result.RowsFailed, ms);
        var summary = $"Run {runId} {result.Outcome.ToString().ToLowerInvariant()}: {result.RowsRead} read, {result.RowsWritten} written, {result.RowsFailed} failed in {ms} ms.";
        if (result.Outcome == SyncOutcome.Failed && error is not null)
        {
            logger.RunFailed(name, runId, error);
            return store.AppendAsync([new LogEntry(time.GetUtcNow(), LogSeverity.Error, connector.Id, runId, $"{summary} {error}", errorDetail)], cancellationToken);
        }

        return store.AppendAsync(result.RowsFailed > 0 ? LogSeverity.Warning : LogSeverity.Info, connector.Id, runId, summary, cancellationToken);
    }

    public Task TurnedToErrorAsync(StoredConnector connector, int failures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        logger.TurnedToError(connector.Definition.Name, failures);
        return store.AppendAsync(LogSeverity.Error, connector.Id, null, $"Status changed to error after {failures} failed runs in a row. Resume the connector to schedule it again.", cancellationToken);
    }

    public Task EventAsync(LogSeverity level, long? connectorId, string message, CancellationToken cancellationToken) =>
        store.AppendAsync(level, connectorId, null, message, cancellationToken);

    /// <summary>Logs one insert's failed documents to the console now, as one line; returns its history line to store later.</summary>
    public LogEntry DocumentsFailed(StoredConnector connector, long runId, string summary)
    {
        ArgumentNullException.ThrowIfNull(connector);
        logger.DocumentsFailed(connector.Definition.Name, runId, summary);
        return new LogEntry(time.GetUtcNow(), LogSeverity.Warning, connector.Id, runId, summary);
    }

    /// <summary>Logs the note to the console now; returns its history line to store later.</summary>
    public LogEntry Note(StoredConnector connector, long runId, string note)
    {
        ArgumentNullException.ThrowIfNull(connector);
        logger.Note(connector.Definition.Name, note);
        return new LogEntry(time.GetUtcNow(), LogSeverity.Info, connector.Id, runId, note);
    }

    public Task AppendAsync(IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken) => store.AppendAsync(entries, cancellationToken);
}
