using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// One run of one connector, the orchestration only: prepare (checkpoint, table) → pump (read → transform, parallel and
/// ordered → insert and commit, single-threaded) → finish (swap, final checkpoint). Every stage is bounded; the first error
/// of any stage cancels all of them and is the run's error, behind one completion. The parts: <see cref="DestinationTable"/>,
/// <see cref="TransformStage"/>, <see cref="InsertStage"/>, <see cref="InFlightBudget"/>, <see cref="RetryLoop"/>, and the
/// pure decisions they ask in Core (checkpoint tracker, insert coalescing, row versions).
/// </summary>
internal sealed class SyncRun : IDisposable
{
    private readonly ConnectorSpec _connector;
    private readonly ICheckpointStore _store;
    private readonly SyncEngineOptions _options;
    private readonly MongoSource _source;
    private readonly DateTimeOffset _startedAt;
    private readonly DestinationTable _table;
    private readonly InsertCoalescing _coalescing;
    private readonly InFlightBudget _budget;
    private readonly RetryLoop _retry;
    private readonly ClickHouseSink _sink;
    private readonly ISyncObserver _observer;
    private InsertStage? _insert;
    private Checkpoint? _finalCheckpoint;
    private long _read;

    // The run's own pool: its arrays are garbage once the run ends, instead of staying in ArrayPool.Shared for good.
    private readonly RunBufferPool _pool = new();

    public SyncRun(ConnectorSpec connector, ICheckpointStore store, ISyncObserver observer, SyncEngineOptions options, MongoSource source, ClickHouseSink sink)
    {
        _connector = connector;
        _store = store;
        _observer = observer;
        _options = options;
        _source = source;
        _sink = sink;
        _startedAt = options.TimeProvider.GetUtcNow();
        _coalescing = new InsertCoalescing(options.MaxInsertRows, options.MaxInsertBytes);
        _budget = new InFlightBudget(_coalescing);
        _retry = new RetryLoop(options.Retry, ClickHouseErrors.IsTransient, options.TimeProvider, observer);
        _table = new DestinationTable(connector, sink, _retry, observer);
    }

    /// <summary>What the run committed.</summary>
    public SyncProgress Total => _insert?.Total ?? default;

    /// <summary>Documents read, committed or not (what a failed run got to).</summary>
    public long RowsRead => Interlocked.Read(ref _read);

    public Checkpoint? LastCheckpoint => _finalCheckpoint ?? _insert?.LastCheckpoint;

    public void Dispose()
    {
        _budget.Dispose();
        _pool.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stored = _connector.Mode == SyncMode.Full ? null : await _store.LoadAsync(_connector.Id, cancellationToken);
        var tracker = CheckpointTracker.For(_connector, stored, DateTimeOffset.FromUnixTimeMilliseconds(_startedAt.ToUnixTimeMilliseconds()));
        await _table.PrepareAsync(ct => _source.SampleAsync(_connector, _options.SampleSize, ct), cancellationToken);
        await PumpAsync(stored, tracker, cancellationToken);
        if (_insert?.Spilled is > 0 and var spilled)
        {
            _observer.Note($"{spilled} values had no column of their own or did not fit theirs exactly and are kept in {TableSchema.ExtraColumn} under their paths");
        }

        await _table.FinishAsync(cancellationToken);
        if (tracker.Complete() is { } final)
        {
            await _store.SaveAsync(_connector.Id, final, cancellationToken);
            _finalCheckpoint = final;
        }
    }

    private async Task PumpAsync(Checkpoint? stored, ICheckpointTracker tracker, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstError = null;
        void Fail(Exception ex)
        {
            Interlocked.CompareExchange(ref firstError, ex, null);
            cts.Cancel();
        }

        var startMillis = _startedAt.ToUnixTimeMilliseconds();
        using var transformStage = new TransformStage(_connector.Mapping, _table, tracker, new RowVersions(startMillis), _budget, _pool, _options.TimeProvider);
        _insert = new InsertStage(
            _connector, _table, transformStage, _sink, _retry, tracker, _store, _observer, _coalescing, new DeduplicationTokens(_connector.Id, Guid.NewGuid()), _budget);

        // Bounded by the reader's in-flight budget (rows and bytes read but not yet acknowledged), not by a batch count:
        // with small batches, enough of them must queue behind a running insert to fill the next one.
        var transform = new TransformBlock<DocumentBatch, EncodedBatch>(
            transformStage.Transform,
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = Math.Max(1, _options.TransformParallelism), EnsureOrdered = true, CancellationToken = cts.Token });
        _ = transform.Completion.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var insert = Task.Run(() => _insert.RunAsync(transform, cts.Token), CancellationToken.None);
        _ = insert.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        try
        {
            await ReadAsync(stored, transform, cts.Token);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }

        transform.Complete();
        try
        {
            await Task.WhenAll(transform.Completion, insert);
        }
        catch (Exception) when (firstError is not null || cts.IsCancellationRequested)
        {
            // The first error (or the caller's cancellation) is reported below.
        }

        // Batches stranded in cancelled blocks still hold pooled buffers.
        while (transform.TryReceive(out var stranded))
        {
            stranded.Dispose();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (firstError is not null)
        {
            ExceptionDispatchInfo.Throw(firstError);
        }
    }

    /// <summary>The reader: the MongoDB cursor's documents, cut into numbered batches, each taken into the budget before it goes on.</summary>
    private async Task ReadAsync(Checkpoint? stored, TransformBlock<DocumentBatch, EncodedBatch> transform, CancellationToken ct)
    {
        var serializer = new ArenaSerializer(Math.Max(1, _connector.BatchSize), ArenaSerializer.InitialBytes(_connector.BatchSize, 256), _pool);
        long sequence = 0;
        try
        {
            using var cursor = await _source.OpenAsync(_connector, stored, serializer, null, ct);
            while (await cursor.MoveNextAsync(ct))
            {
                while (serializer.TryTakeReady(out var documents))
                {
                    await PostAsync(transform, new DocumentBatch(sequence++, documents), ct);
                }
            }

            if (serializer.TakePartial() is { } last)
            {
                await PostAsync(transform, new DocumentBatch(sequence, last), ct);
            }
        }
        catch
        {
            serializer.Discard();
            throw;
        }
    }

    private async Task PostAsync(TransformBlock<DocumentBatch, EncodedBatch> transform, DocumentBatch batch, CancellationToken ct)
    {
        try
        {
            await _budget.TakeAsync(batch.Count, batch.Documents.Bytes.Length, ct);
        }
        catch
        {
            batch.Dispose();
            throw;
        }

        Interlocked.Add(ref _read, batch.Count);
        if (!await transform.SendAsync(batch, ct))
        {
            batch.Dispose();
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException("the transform stage stopped accepting batches");
        }
    }
}
