using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// One run of one connector, the orchestration only: prepare (checkpoint and its fingerprint, version floor, index check, table)
/// → pump (read → transform, parallel and ordered → insert and commit, single-threaded) → finish (swap, final checkpoint, findings). Every stage is bounded; the first error
/// of any stage cancels all of them and is the run's error, behind one completion. The parts: <see cref="DestinationTable"/>,
/// <see cref="TransformStage"/>, <see cref="InsertStage"/>, <see cref="InFlightBudget"/>, <see cref="RetryLoop"/>, and the
/// pure decisions they ask in Core (checkpoint tracker, insert coalescing, row versions).
/// (Over 300 lines since the change-stream mode: a find's pump and a stream's share the prepare and finish steps; applying the
/// stream is <see cref="ChangeStreamApplier"/>'s.)
/// </summary>
internal sealed class SyncRun : IDisposable
{
    private readonly ConnectorSpec _connector;
    private readonly RunOptions _run;
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
    private readonly List<SyncWarning> _warnings = [];
    private InsertStage? _insert;
    private ChangeStreamApplier? _stream;
    private Checkpoint? _finalCheckpoint;
    private long _read;
    private long _sequence;
    private BsonValue? _lastId;

    // The run's own pool: its arrays are garbage once the run ends, instead of staying in ArrayPool.Shared for good.
    private readonly RunBufferPool _pool = new();

    public SyncRun(ConnectorSpec connector, RunOptions run, ICheckpointStore store, ISyncObserver observer, SyncEngineOptions options, MongoSource source, ClickHouseSink sink)
    {
        _connector = connector;
        _run = run;
        _store = store;
        _observer = observer;
        _options = options;
        _source = source;
        _sink = sink;
        _startedAt = options.TimeProvider.GetUtcNow();
        _coalescing = new InsertCoalescing(options.MaxInsertRows, options.MaxInsertBytes);
        _budget = new InFlightBudget(_coalescing);
        _retry = new RetryLoop(options.Retry, ClickHouseErrors.IsTransient, options.TimeProvider, observer);
        _table = new DestinationTable(connector, run, sink, _retry, observer);
    }

    /// <summary>What the run committed.</summary>
    public SyncProgress Total => _stream?.Total ?? _insert?.Total ?? default;

    /// <summary>Documents read, committed or not (what a failed run got to).</summary>
    public long RowsRead => Interlocked.Read(ref _read);

    public Checkpoint? LastCheckpoint => _stream?.LastCheckpoint ?? _finalCheckpoint ?? _insert?.LastCheckpoint;

    /// <summary>What the user should fix, as found so far.</summary>
    public IReadOnlyList<SyncWarning> Warnings => _warnings;

    public void Dispose()
    {
        _budget.Dispose();
        _pool.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var fingerprint = CheckpointFingerprint.Of(_connector);
        var stored = await _store.LoadAsync(_connector.Id, cancellationToken);
        if (stored?.Fingerprint is { } madeFor && madeFor != fingerprint)
        {
            throw new SyncConfigurationException(
                "the stored checkpoint was made for another definition of this connector (mode, cursor field, source or destination); " +
                "reset the connector's checkpoint (POST /api/connectors/{id}/reset, or zenith reset) to start over");
        }

        // The floor is stored before any row is written, so even a run cut short leaves later runs above its versions.
        var versionBase = RowVersions.Base(_startedAt.ToUnixTimeMilliseconds(), stored?.VersionFloor ?? 0);
        await _store.SaveAsync(_connector.Id, (stored ?? Checkpoint.Reset(fingerprint, 0)) with { Fingerprint = fingerprint, VersionFloor = versionBase }, cancellationToken);

        // A full run and a resync read everything; a resync still keeps the mode's tracker, to store where its read settled.
        var resumeFrom = _connector.Mode == SyncMode.Full || _run.Resync ? null : stored;
        var stream = await StreamStartAsync(resumeFrom, fingerprint, versionBase, cancellationToken);
        if (stream is not null)
        {
            resumeFrom = stream.ToCheckpoint(fingerprint, versionBase);
        }

        var window = new SettleWindow(TimeSpan.FromSeconds(_connector.SettleSeconds), _options.FutureTolerance);
        var tracker = CheckpointTracker.For(_connector, resumeFrom, _startedAt, new TrackerSettings(window, _options.TimeProvider, fingerprint, versionBase));
        if (stream is { Loaded: true })
        {
            // Loaded before: straight to the stream.
            await StreamAsync(stream, fingerprint, versionBase, cancellationToken);
            return;
        }

        // change_stream loads by _id from where an interrupted load got to (its own position, not the stream's).
        var loadFrom = stream is null ? resumeFrom : stream.LoadCheckpoint();
        await CheckIndexesAsync(cancellationToken);
        await CheckSourceAsync(loadFrom, cancellationToken);
        await _table.PrepareAsync(ct => _source.SampleAsync(_connector, _options.SampleSize, ct, _pool), cancellationToken);
        var rowVersions = new RowVersions(versionBase);
        Func<long, UInt128> versionOf = stream is null ? seq => rowVersions.Version(seq) : _ => ChangeVersions.Snapshot((ulong)stream.At.Value);
        await PumpAsync(loadFrom, tracker, versionOf, cancellationToken);
        if (_insert?.Spilled is > 0 and var spilled)
        {
            _observer.Note($"{spilled} values had no column of their own or did not fit theirs exactly and are kept in {TableSchema.ExtraColumn} under their paths");
        }

        await _table.FinishAsync(cancellationToken);
        var final = tracker.Complete();
        if (_run.Resync && _connector.Mode != SyncMode.Full)
        {
            final ??= tracker.Current ?? Checkpoint.Reset(fingerprint, versionBase);
        }

        if (final is not null)
        {
            await _store.SaveAsync(_connector.Id, final, cancellationToken);
            _finalCheckpoint = final;
        }

        Report(RunFindings.Of(_connector, tracker.Findings, window, _startedAt));
        if (_insert is { KeyMisfits: { Values: > 0 } misfits })
        {
            Report(RunFindings.KeyMisfits(misfits.Values, KeyColumns.Names(_table.Schema, misfits.Columns)));
        }

        if (stream is not null)
        {
            await StreamAsync(stream with { Load = null }, fingerprint, versionBase, cancellationToken);
        }
    }

    /// <summary>
    /// change_stream: the position the stream starts from. A connector without one (new, reset) and a resync take it now, before the
    /// load reads anything, so every write during the load is in the stream; a new position is stored at once (a resync's only after
    /// its swap, so one cut short changes nothing). Null for the other modes.
    /// </summary>
    private async Task<ChangeStreamPosition?> StreamStartAsync(Checkpoint? stored, string fingerprint, long versionBase, CancellationToken ct)
    {
        if (_connector.Mode != SyncMode.ChangeStream)
        {
            return null;
        }

        if (ChangeStreamPosition.Parse(stored) is { } position)
        {
            return position;
        }

        position = ChangeStreamPosition.Start(await ChangeStreamSource.StartPositionAsync(_source.Collection, ct));
        if (!_run.Resync)
        {
            await _store.SaveAsync(_connector.Id, position.ToCheckpoint(fingerprint, versionBase), ct);
        }

        _observer.Note($"change stream position taken at {position.AtText}; copying the collection, then applying the stream from there");
        return position;
    }

    /// <summary>change_stream after the load: the stream applied into the destination table until the run is cancelled or fails.</summary>
    private async Task StreamAsync(ChangeStreamPosition position, string fingerprint, long versionBase, CancellationToken ct)
    {
        var table = new DestinationTable(_connector, _run with { Resync = false }, _sink, _retry, _observer);
        await table.PrepareAsync(c => _source.SampleAsync(_connector, _options.SampleSize, c, _pool), ct);
        var loaded = Total;
        _stream = new ChangeStreamApplier(_connector, table, _source, _sink, _retry, _store, _observer, _options, fingerprint, versionBase, _pool);
        await _stream.RunAsync(position, loaded, ct);
    }

    private async Task CheckIndexesAsync(CancellationToken ct)
    {
        if (IndexAdvice.MissingIndex(_connector, await _source.ListIndexesAsync(ct)) is { } missing)
        {
            Report([new SyncWarning(SyncWarningKind.MissingIndex, missing)]);
        }
    }

    private void Report(IEnumerable<SyncWarning> warnings)
    {
        foreach (var warning in warnings)
        {
            _warnings.Add(warning);
            _observer.Note(warning.Message);
        }
    }

    /// <summary>
    /// A missing collection fails the run rather than read nothing (a full run would swap in an empty table), except a change
    /// stream's (it waits for the collection's first writes); a run that reads the
    /// whole collection without a filter tells its estimated size, for its progress.
    /// </summary>
    private async Task CheckSourceAsync(Checkpoint? stored, CancellationToken cancellationToken)
    {
        if (!await _source.CollectionExistsAsync(cancellationToken))
        {
            if (_connector.Mode != SyncMode.ChangeStream)
            {
                throw new SyncFailedException(await _source.MissingCollectionAsync(cancellationToken), detail: null);
            }

            // A stream swaps in nothing: on a collection not made yet it loads nothing and applies its documents as they are written.
            _observer.Note($"collection {_connector.Source.Database}.{_connector.Source.Collection} does not exist yet: the stream applies its documents once they are written");
            return;
        }

        if (stored is null && string.IsNullOrWhiteSpace(_connector.Source.Filter))
        {
            try
            {
                _observer.SourceEstimated(await _source.EstimatedCountAsync(cancellationToken));
            }
            catch (MongoDB.Driver.MongoCommandException)
            {
                // A view or a server without the count: the run goes on without a size to measure it against.
            }
        }
    }

    private async Task PumpAsync(Checkpoint? stored, ICheckpointTracker tracker, Func<long, UInt128> versions, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstError = null;
        void Fail(Exception ex)
        {
            Interlocked.CompareExchange(ref firstError, ex, null);
            cts.Cancel();
        }

        using var transformStage = new TransformStage(_connector.Mapping, _table, tracker, versions, _budget, _pool, _options.TimeProvider);
        _insert = new InsertStage(
            _connector, _table, transformStage, _sink, _retry, tracker, _store, _observer, _coalescing, new DeduplicationTokens(_connector.Id, Guid.NewGuid()), _budget,
            storeCheckpoints: !_run.Resync);

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
            await ReadAsync(stored, tracker, transform, cts.Token);
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

    /// <summary>
    /// The reader: the MongoDB cursor's documents, cut into numbered batches, each taken into the budget before it goes on. A
    /// cursor lost while open (killed after idling through a long ClickHouse retry, a broken or timed-out connection, a primary
    /// that stepped down) is reopened after the last document read, once ClickHouse acknowledged everything read: nothing is
    /// read twice or skipped, and the history says so. A cursor that cannot even be opened fails the run.
    /// </summary>
    private async Task ReadAsync(Checkpoint? stored, ICheckpointTracker tracker, TransformBlock<DocumentBatch, EncodedBatch> transform, CancellationToken ct)
    {
        var serializer = new ArenaSerializer(
            Math.Max(1, _connector.BatchSize), _options.MaxBatchBytes, _options.MaxDocumentBytes, ArenaSerializer.InitialBytes(_connector.BatchSize, 256), _pool);
        // change_stream loads by _id, resumable (writes during the load are in the stream after its start position).
        var (connector, position) = (Reading, stored);
        var fruitless = 0;
        try
        {
            // Keys are settled against the moment the first query was sent, not the end of the read (nor a reopen after a lost
            // cursor): what changes during a long read (or behind a blocking sort's snapshot) gets a time after it and is read again
            // by the next run.
            tracker.QueryOpened(_options.TimeProvider.GetUtcNow());
            var reopening = false;
            while (true)
            {
                var opened = false;
                var readBefore = RowsRead;
                try
                {
                    if (reopening && fruitless > 0)
                    {
                        // A pool the driver paused after the loss opens again once its monitor reaches the server: give it time.
                        await Task.Delay(TimeSpan.FromMilliseconds(250 << fruitless), _options.TimeProvider, ct);
                    }

                    using var cursor = await _source.OpenAsync(connector, position, serializer, null, _options.RunTimeout, ct);
                    opened = true;
                    while (await cursor.MoveNextAsync(ct))
                    {
                        await PostReadyAsync(serializer, transform, ct);
                    }

                    await PostReadyAsync(serializer, transform, ct, partialToo: true);
                    return;
                }
                catch (Exception ex) when ((opened || reopening) && !ct.IsCancellationRequested && MongoErrors.IsLostCursor(ex) && fruitless < MaxFruitlessReopens)
                {
                    reopening = true;
                    // What was read before the loss is good: it goes on, and the cursor reopens after it once ClickHouse has it all.
                    await PostReadyAsync(serializer, transform, ct, partialToo: true);
                    await _budget.WhenEmptyAsync(ct);
                    fruitless = RowsRead > readBefore ? 0 : fruitless + 1;
                    (connector, position) = After(tracker, stored);
                    _observer.Note($"MongoDB: the cursor was lost ({MongoErrors.LostBecause(ex)}); reopened after the last committed document, {RowsRead} read so far");
                }
            }
        }
        catch
        {
            serializer.Discard();
            throw;
        }
    }

    /// <summary>The connector as the reader reads it: a change stream's load reads by <c>_id</c>, the other modes as they are.</summary>
    private ConnectorSpec Reading => _connector.Mode == SyncMode.ChangeStream ? _connector with { Mode = SyncMode.IncrementalId } : _connector;

    /// <summary>Reopens in a row that read nothing; the next loss after them fails the run.</summary>
    private const int MaxFruitlessReopens = 3;

    /// <summary>
    /// Where a reopened cursor starts: at or before the last document read, every one of which ClickHouse has acknowledged. The
    /// timestamp mode's committed checkpoint is that, held back by the settle window (what is read again collapses by version);
    /// the id mode (whose settled checkpoint may lag far behind what was read) and a full run (whose checkpoint is only its time) reads on by
    /// <c>_id</c>, the order it reads in.
    /// </summary>
    private (ConnectorSpec Connector, Checkpoint? Position) After(ICheckpointTracker tracker, Checkpoint? stored)
    {
        if (_connector.Mode == SyncMode.ChangeStream && _lastId is null)
        {
            // Nothing read yet: the load starts again where it was to start.
            return (Reading, stored);
        }

        if (_connector.Mode == SyncMode.IncrementalTimestamp)
        {
            return (_connector, tracker.Current ?? stored);
        }

        if (_lastId is null)
        {
            return (_connector, null);
        }

        var after = new BsonDocument("_id", _lastId).ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.CanonicalExtendedJson });
        return (_connector with { Mode = SyncMode.IncrementalId }, new Checkpoint(after, string.Empty));
    }

    private async Task PostReadyAsync(ArenaSerializer serializer, TransformBlock<DocumentBatch, EncodedBatch> transform, CancellationToken ct, bool partialToo = false)
    {
        while (serializer.TryTakeReady(out var documents))
        {
            await PostAsync(transform, new DocumentBatch(_sequence++, documents), ct);
        }

        if (partialToo && serializer.TakePartial() is { } last)
        {
            await PostAsync(transform, new DocumentBatch(_sequence++, last), ct);
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

        _observer.DocumentsRead(Interlocked.Add(ref _read, batch.Count));
        if (_connector.Mode != SyncMode.IncrementalTimestamp)
        {
            _lastId = Zenith.Core.Bson.RawFields.Get(batch.Documents.Last, "_id"u8);
        }

        if (!await transform.SendAsync(batch, ct))
        {
            batch.Dispose();
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException("the transform stage stopped accepting batches");
        }
    }
}
