using System.Threading.Tasks.Dataflow;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The ordered stage, single-threaded: takes encoded batches in reading order, gathers consecutive ones into one INSERT as
/// <see cref="InsertCoalescing"/> decides (sent as soon as nothing more is queued, and before any schema change: its rows were
/// encoded for the table as it was), sends it, then commits its batches in order: failures, position, one checkpoint, progress.
/// A resync stores no checkpoint on the way (its rows are not in the destination until the swap): <paramref name="storeCheckpoints"/>.
/// </summary>
internal sealed class InsertStage(
    ConnectorSpec connector,
    DestinationTable table,
    TransformStage transform,
    ClickHouseSink sink,
    RetryLoop retry,
    ICheckpointTracker tracker,
    ICheckpointStore checkpoints,
    ISyncObserver observer,
    InsertCoalescing coalescing,
    DeduplicationTokens tokens,
    InFlightBudget budget,
    bool storeCheckpoints)
{
    private readonly HashSet<int> keyMisfitColumns = [];

    /// <summary>What the run has committed so far.</summary>
    public SyncProgress Total { get; private set; }

    /// <summary>Values written to <c>_zenith_extra</c> because they had no column or did not fit theirs.</summary>
    public long Spilled { get; private set; }

    /// <summary>Committed values that did not fit their key column (kept in <c>_zenith_extra</c>), and those columns.</summary>
    public (long Values, IReadOnlyCollection<int> Columns) KeyMisfits => (keyMisfits, keyMisfitColumns);

    private long keyMisfits;

    /// <summary>The checkpoint stored last (null until one was).</summary>
    public Checkpoint? LastCheckpoint { get; private set; }

    public async Task RunAsync(TransformBlock<DocumentBatch, EncodedBatch> source, CancellationToken ct)
    {
        var group = new InsertGroup();
        try
        {
            while (true)
            {
                if (!source.TryReceive(out var batch))
                {
                    if (InsertCoalescing.SendWhenIdle(group.Size))
                    {
                        await SendAsync(group, ct);
                        continue;
                    }

                    if (!await source.OutputAvailableAsync(ct))
                    {
                        break;
                    }

                    continue;
                }

                await AddAsync(group, batch, ct);
            }

            await SendAsync(group, ct);
        }
        finally
        {
            group.Dispose();
        }
    }

    private async Task AddAsync(InsertGroup group, EncodedBatch batch, CancellationToken ct)
    {
        try
        {
            if (batch.Status == EncodeStatus.NeedsSchemaChange || batch.Schema!.TypeGeneration != table.Schema.TypeGeneration)
            {
                // The rows already grouped were encoded for the table as it is now: send them before it changes.
                await SendAsync(group, ct);
                await FitAsync(batch, ct);
            }

            if (coalescing.SendBefore(group.Size, batch.RowCount, batch.Rows!.Length, ReferenceEquals(group.Schema, batch.Schema)))
            {
                await SendAsync(group, ct);
            }
        }
        catch
        {
            batch.Dispose();
            throw;
        }

        // Its rows are final: the documents are no longer needed.
        batch.Documents.Dispose();
        budget.Resize(-batch.DocumentBytes);
        group.Add(batch);
        if (coalescing.IsFull(group.Size))
        {
            await SendAsync(group, ct);
        }
    }

    /// <summary>Makes the batch's rows fit the table: evolves the table for fields or types it lacks, encodes again for a newer schema.</summary>
    private async Task FitAsync(EncodedBatch batch, CancellationToken ct)
    {
        if (batch.Status == EncodeStatus.NeedsSchemaChange)
        {
            await EvolveAsync(batch, ct);
        }

        if (batch.Schema!.TypeGeneration != table.Schema.TypeGeneration)
        {
            transform.Encode(batch, table.Schema);
            if (batch.Status == EncodeStatus.NeedsSchemaChange)
            {
                await EvolveAsync(batch, ct);
            }
        }
    }

    private async Task EvolveAsync(EncodedBatch batch, CancellationToken ct)
    {
        await table.EvolveAsync(batch.Documents.Documents.Written, ct);
        transform.Encode(batch, table.Schema);
        if (batch.Status == EncodeStatus.NeedsSchemaChange)
        {
            throw new InvalidOperationException("the schema could not be extended to hold a batch; this is a bug in Zenith");
        }
    }

    /// <summary>Sends the group as one insert, then commits its batches in order: failures, position, one checkpoint, progress.</summary>
    private async Task SendAsync(InsertGroup group, CancellationToken ct)
    {
        var batches = group.Batches;
        if (batches.Count == 0)
        {
            return;
        }

        var size = group.Size;
        if (size.Rows > 0)
        {
            var columns = group.Schema!.InsertColumns;
            var token = tokens.For(batches[0].Documents.Sequence, batches[^1].Documents.Sequence);
            var parts = batches.Where(b => b.RowCount > 0).Select(b => b.Rows!.WrittenMemory).ToArray();
            var json = group.Schema.HasJsonColumns;
            await retry.RunAsync(c => sink.InsertAsync(table.Database, table.Name, columns, parts, token, json, c), ct);
        }

        var moved = false;
        long read = 0, failed = 0;
        foreach (var batch in batches)
        {
            foreach (var failure in batch.Failures)
            {
                observer.DocumentFailed(failure.DocumentId, failure.Reason);
            }

            moved |= tracker.Advance(batch.Position);
            read += batch.Documents.Count;
            failed += batch.Failures.Count;
            Spilled += batch.Spilled;
            keyMisfits += batch.KeyMisfits.Values;
            keyMisfitColumns.UnionWith(batch.KeyMisfits.Columns);
        }

        if (moved && storeCheckpoints && tracker.Current is { } checkpoint)
        {
            await checkpoints.SaveAsync(connector.Id, checkpoint, ct);
            LastCheckpoint = checkpoint;
        }

        var progress = new SyncProgress(read, size.Rows, failed, batches.Count, size.Bytes);
        Total = new SyncProgress(
            Total.RowsRead + progress.RowsRead,
            Total.RowsWritten + progress.RowsWritten,
            Total.RowsFailed + progress.RowsFailed,
            Total.Batches + progress.Batches,
            Total.Bytes + progress.Bytes);
        group.Dispose();
        budget.Release(read, size.Bytes);
        observer.BatchCommitted(progress, Total);
    }
}
