using System.Collections.Concurrent;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;
using Zenith.Core.Connectors;
using Zenith.Sync;

namespace Zenith.Bench.Contestants;

/// <summary>
/// Zenith's real code path: <see cref="SyncEngine.RunAsync"/> with a connector spec, a checkpoint store
/// and an observer, exactly as the service calls it. First loads run in <c>incremental_id</c> mode from
/// no checkpoint; the incremental scenario runs <c>incremental_timestamp</c> on <c>updated_at</c>.
/// </summary>
internal sealed class ZenithContestant(string mongoUri, string clickHouseUrl, int batchSize) : IContestant
{
    private readonly ConcurrentDictionary<string, MemoryCheckpointStore> checkpoints = new(StringComparer.Ordinal);

    public string Name => ReportWriter.Zenith;

    public string Description => $"Zenith: `SyncEngine.RunAsync` (the service's code path), batch size {batchSize:N0}, first loads in incremental_id mode, the incremental scenario in incremental_timestamp mode on `updated_at`";

    public bool WritesTable => true;

    public string? NotApplicable(DataSet dataSet) => null;

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var result = await RunOnceAsync(mongoUri, clickHouseUrl, target.Collection, target.Database, target.Table, target.DataSet.Incremental, batchSize,
            target.Incremental ? checkpoints.GetOrAdd(target.Table, _ => new MemoryCheckpointStore()) : checkpoints[target.Table] = new MemoryCheckpointStore(),
            ct).ConfigureAwait(false);
        return new RunOutcome(result.Duration.TotalSeconds, result.RowsWritten);
    }

    /// <summary>One run; a failed run is an exception carrying the engine's reason.</summary>
    public static async Task<SyncRunResult> RunOnceAsync(
        string mongoUri, string clickHouseUrl, string collection, string database, string table, bool timestampCursor, int batchSize, ICheckpointStore store, CancellationToken ct)
    {
        var spec = new ConnectorSpec(
            Id: 1,
            Name: "bench-" + table,
            Source: new SourceSpec(mongoUri, BenchRun.SourceDatabase, collection),
            Destination: new DestinationSpec(clickHouseUrl, database, table),
            Mode: timestampCursor ? SyncMode.IncrementalTimestamp : SyncMode.IncrementalId,
            CursorField: ConnectorSpec.DefaultCursorField,
            BatchSize: batchSize,
            Mapping: MappingOptions.Default,
            Table: TableOptions.Default);
        var engine = new SyncEngine(new SyncEngineOptions());
        var result = await engine.RunAsync(spec, store, NullObserver.Instance, ct).ConfigureAwait(false);
        if (result.Outcome != SyncOutcome.Succeeded)
            throw new InvalidOperationException($"Zenith run {result.Outcome}: {result.Error}");
        if (result.RowsFailed > 0)
            throw new InvalidOperationException($"Zenith failed {result.RowsFailed:N0} documents");
        return result;
    }

    internal sealed class MemoryCheckpointStore : ICheckpointStore
    {
        private Checkpoint? checkpoint;

        public ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken) => ValueTask.FromResult(checkpoint);

        public ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken)
        {
            this.checkpoint = checkpoint;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NullObserver : ISyncObserver
    {
        public static readonly NullObserver Instance = new();

        public void BatchCommitted(SyncProgress batch, SyncProgress total)
        {
        }

        public void DocumentFailed(string documentId, string reason)
        {
        }

        public void Note(string message)
        {
        }
    }
}
