using System.Threading.Channels;
using Zenith.Core.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// Hears one run without writing to SQLite on the pipeline's ordered stage: metrics and console lines at once; the run row's
/// progress and the history lines (notes, and one summary per insert of the documents it could not write: how many, why, the
/// first ids) are buffered and stored by a writer of its own after each insert, a few statements per insert however many
/// documents failed, so one bad batch cannot flood the history. <see cref="DisposeAsync"/> stores what is left, so the run's
/// lines come before its "finished" line. Never throws into the pipeline.
/// </summary>
internal sealed class RunJournal : ISyncObserver, IAsyncDisposable
{
    private readonly UnsealedConnector connector;
    private readonly long runId;
    private readonly RunStore runs;
    private readonly SyncHistory history;
    private readonly ZenithMetrics metrics;
    private readonly ILogger logger;
    private readonly int keep;
    private readonly TimeProvider time;
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock gate = new();
    private readonly Queue<LogEntry> lines = new();
    private readonly FailureSummary failures = new();
    private readonly Task writer;
    private SyncProgress? progress;
    private long? estimate;
    private long read;
    private readonly ConnectorStates? states;
    private readonly Action? streamStarted;

    /// <param name="keep">The history keeps this many lines: older pending ones would be pruned at once, so they are not kept.</param>
    /// <param name="states">Where a change stream's position is kept for the API and the gauges (memory only).</param>
    /// <param name="streamStarted">Called once a change-stream run has loaded and applies the stream (it gives its slot back).</param>
    public RunJournal(UnsealedConnector connector, long runId, RunStore runs, SyncHistory history, ZenithMetrics metrics, ILogger logger, int keep, TimeProvider time, ConnectorStates? states = null, Action? streamStarted = null)
    {
        this.time = time;
        this.states = states;
        this.streamStarted = streamStarted;
        this.connector = connector;
        this.runId = runId;
        this.runs = runs;
        this.history = history;
        this.metrics = metrics;
        this.logger = logger;
        this.keep = Math.Max(1, keep);
        writer = Task.Run(WriteAsync, CancellationToken.None);
    }

    /// <summary>The run's numbers after its last committed insert (what a run cut short did).</summary>
    public SyncProgress Total { get; private set; }

    public void BatchCommitted(SyncProgress batch, SyncProgress total)
    {
        Total = total;
        metrics.BatchCommitted(connector.Name, batch);
        SummariseFailures();
        lock (gate)
        {
            progress = total;
        }

        wake.Writer.TryWrite(true);
    }

    // Stored with the next insert's numbers: a read is no reason to write to SQLite.
    public void DocumentsRead(long total) => Interlocked.Exchange(ref read, total);

    public void SourceEstimated(long documents)
    {
        lock (gate)
        {
            estimate = documents;
        }

        wake.Writer.TryWrite(true);
    }

    // Failed documents are told just before the insert they belong to is committed: summed up there, in one line.
    public void DocumentFailed(string documentId, string reason) => failures.Add(connector.Redact(documentId), connector.Redact(reason));

    public void Note(string message)
    {
        Buffer(history.Note(connector.Connector, runId, connector.Redact(message)));
        wake.Writer.TryWrite(true);
    }

    /// <summary>Whether the run got to applying its change stream (a failure after that is the stream's first).</summary>
    public bool Streamed { get; private set; }

    public void StreamStarted()
    {
        Streamed = true;
        streamStarted?.Invoke();
    }

    public void StreamApplied(ChangeStreamProgress progress)
    {
        states?.SetStream(connector.Id, new StreamState(progress.LastEventAt, progress.PositionAt, progress.CaughtUp));
        metrics.ChangesApplied(connector.Definition.Name, progress.Applied);
    }

    /// <summary>Stores what is still buffered and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        SummariseFailures();
        wake.Writer.TryComplete();
        await writer;
    }

    private void SummariseFailures()
    {
        if (failures.Take() is { } summary)
        {
            Buffer(history.DocumentsFailed(connector.Connector, runId, summary));
        }
    }

    private void Buffer(LogEntry line)
    {
        lock (gate)
        {
            lines.Enqueue(line);
            if (lines.Count > keep)
            {
                lines.Dequeue();
            }
        }
    }

    private async Task WriteAsync()
    {
        while (await wake.Reader.WaitToReadAsync(CancellationToken.None))
        {
            wake.Reader.TryRead(out _);
            await FlushAsync();
        }

        await FlushAsync();
    }

    private async Task FlushAsync()
    {
        SyncProgress? total;
        long? size;
        LogEntry[] pending;
        lock (gate)
        {
            (total, progress) = (progress, null);
            (size, estimate) = (estimate, null);
            pending = [.. lines];
            lines.Clear();
        }

        // Not the run's token: a pause cancels the run, and what it did so far must still be recorded.
        try
        {
            if (pending.Length > 0)
            {
                await history.AppendAsync(pending, CancellationToken.None);
            }

            if (size is { } documents)
            {
                await runs.SetEstimateAsync(runId, documents, CancellationToken.None);
            }

            if (total is { } numbers)
            {
                // Read runs ahead of written by what is in flight: the progress bar follows the reading.
                var live = numbers with { RowsRead = Math.Max(numbers.RowsRead, Interlocked.Read(ref read)) };
                await runs.UpdateProgressAsync(runId, live, time.GetUtcNow(), CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // A missed progress update only delays the dashboard; it must never fail the run.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.ProgressNotRecorded(e, runId);
        }
    }
}
