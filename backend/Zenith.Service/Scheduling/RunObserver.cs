using Zenith.Core.Connectors;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;
using Zenith.Service.Domain;

namespace Zenith.Service.Scheduling;

/// <summary>Hears one run's batches: metrics, the live run row, the history. Never throws into the pipeline.</summary>
internal sealed class RunObserver(StoredConnector connector, long runId, RunStore runs, SyncHistory history, ZenithMetrics metrics, ILogger logger) : ISyncObserver
{
    /// <summary>The run's numbers after its last committed batch (what a run cut short did).</summary>
    public SyncProgress Total { get; private set; }

    public void BatchCommitted(SyncProgress batch, SyncProgress total)
    {
        Total = total;
        metrics.BatchCommitted(connector.Definition.Name, batch);
        try
        {
            runs.UpdateProgress(runId, total);
        }
#pragma warning disable CA1031 // The observer must not throw into the pipeline; a missed progress update only delays the dashboard.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.ProgressNotRecorded(e, runId);
        }
    }

    public void DocumentFailed(string documentId, string reason) => Safely(() =>
        history.DocumentFailed(connector, runId, connector.Definition.Redact(documentId), connector.Definition.Redact(reason)));

    public void Note(string message) => Safely(() => history.Note(connector, runId, connector.Definition.Redact(message)));

    private void Safely(Action write)
    {
        try
        {
            write();
        }
#pragma warning disable CA1031 // See BatchCommitted: history lines are best effort while a run goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.ProgressNotRecorded(e, runId);
        }
    }
}
