using Zenith.Core.Connectors;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;
using Zenith.Service.Domain;

namespace Zenith.Service.Scheduling;

/// <summary>Writes what happens to a connector both to the console log and to the bounded SQLite log people read.</summary>
public sealed class SyncHistory(LogStore store, ILogger<SyncHistory> logger)
{
    public void RunStarted(StoredConnector connector, long runId, RunTrigger trigger)
    {
        logger.RunStarted(connector.Definition.Name, runId, trigger);
        Append(LogSeverity.Info, connector.Id, runId, $"Run {runId} started ({DomainText.Text(trigger)}).");
    }

    public void RunFinished(StoredConnector connector, long runId, SyncRunResult result, string? error)
    {
        ArgumentNullException.ThrowIfNull(result);
        var name = connector.Definition.Name;
        var ms = (long)result.Duration.TotalMilliseconds;
        logger.RunFinished(name, runId, result.Outcome, result.RowsRead, result.RowsWritten, result.RowsFailed, ms);
        var summary = $"Run {runId} {result.Outcome.ToString().ToLowerInvariant()}: {result.RowsRead} read, {result.RowsWritten} written, {result.RowsFailed} failed in {ms} ms.";
        if (result.Outcome == SyncOutcome.Failed && error is not null)
        {
            logger.RunFailed(name, runId, error);
            Append(LogSeverity.Error, connector.Id, runId, $"{summary} {error}");
        }
        else
        {
            Append(result.RowsFailed > 0 ? LogSeverity.Warning : LogSeverity.Info, connector.Id, runId, summary);
        }
    }

    public void TurnedToError(StoredConnector connector, int failures)
    {
        logger.TurnedToError(connector.Definition.Name, failures);
        Append(LogSeverity.Error, connector.Id, null, $"Status changed to error after {failures} failed runs in a row. Resume the connector to schedule it again.");
    }

    public void DocumentFailed(StoredConnector connector, long runId, string documentId, string reason)
    {
        logger.DocumentFailed(connector.Definition.Name, documentId, reason);
        Append(LogSeverity.Warning, connector.Id, runId, $"Document {documentId} not written: {reason}");
    }

    public void Note(StoredConnector connector, long runId, string note)
    {
        logger.Note(connector.Definition.Name, note);
        Append(LogSeverity.Info, connector.Id, runId, note);
    }

    public Task EventAsync(LogSeverity level, long? connectorId, string message, CancellationToken cancellationToken) =>
        store.AppendAsync(level, connectorId, null, message, cancellationToken);

    private void Append(LogSeverity level, long? connectorId, long? runId, string message) =>
        store.Append(level, connectorId, runId, message);
}
