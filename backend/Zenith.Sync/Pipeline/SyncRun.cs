using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Mapping;
using Zenith.Core.Retries;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// One run of one connector: read (MongoDB cursor) → transform (parallel, ordered) → insert and commit
/// (single-threaded, in order). Every block is bounded; the first error cancels all of them and is the run's error.
/// </summary>
internal sealed class SyncRun : IDisposable
{
    private const string StagingSuffix = "__zenith_staging";

    private readonly ConnectorSpec _connector;
    private readonly ICheckpointStore _store;
    private readonly ISyncObserver _observer;
    private readonly SyncEngineOptions _options;
    private readonly MongoSource _source;
    private readonly ClickHouseSink _sink;
    private readonly ConcurrentBag<RowEncoder> _encoders = [];
    private readonly long _runStartMillis;
    private readonly Guid _runId = Guid.NewGuid();
    private volatile TableSchema _schema = TableSchema.Empty;
    private string _table = string.Empty;
    private long _read;
    private SyncProgress _total;
    private TimestampCursor _cursor = TimestampCursor.Start;
    private byte[] _cursorField = [];
    private long _inFlightRows;
    private long _inFlightBytes;
    private readonly SemaphoreSlim _acknowledged = new(0);

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
        _runStartMillis = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public SyncProgress Total => _total;

    public void Dispose()
    {
        _acknowledged.Dispose();
        _pool.Dispose();
    }

    public long RowsRead => Interlocked.Read(ref _read);

    public Checkpoint? LastCheckpoint { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var destination = _connector.Destination;
        var database = destination.Database;
        await WithRetryAsync(ct => _sink.ExecuteAsync(Ddl.CreateDatabase(database), ct), cancellationToken);
        var checkpoint = _connector.Mode == SyncMode.Full ? null : await _store.LoadAsync(_connector.Id, cancellationToken);
        if (_connector.Mode == SyncMode.IncrementalTimestamp)
        {
            _cursor = CursorRules.Timestamp(checkpoint);
            _cursorField = TimestampCursor.FieldBytes(_connector.CursorField);
        }

        _table = _connector.Mode == SyncMode.Full ? destination.Table + StagingSuffix : destination.Table;
        if (_connector.Mode == SyncMode.Full)
        {
            await WithRetryAsync(ct => _sink.ExecuteAsync($"DROP TABLE IF EXISTS {Ddl.Table(database, _table)}", ct), cancellationToken);
        }

        var existing = await _sink.ReadSchemaAsync(database, _table, cancellationToken);
        if (existing is null)
        {
            var builder = new SchemaBuilder(_connector.Mapping);
            using (var sample = await _source.SampleAsync(_connector, _options.SampleSize, cancellationToken))
            {
                if (sample is not null)
                {
                    ObserveAll(builder, sample);
                }
            }

            existing = builder.Build().Schema;
            await WithRetryAsync(ct => _sink.ExecuteAsync(Ddl.CreateTable(database, _table, existing, _connector.Table), ct), cancellationToken);
            _observer.Note($"created table {database}.{_table} with {existing.Columns.Count + 3} columns");
        }

        else if (!await _sink.DeduplicatesInsertsAsync(database, _table, cancellationToken))
        {
            // A table from an older Zenith: without the setting, a retried insert whose first reply was lost would be written twice.
            await WithRetryAsync(ct => _sink.ExecuteAsync(Ddl.EnableDeduplication(database, _table), ct), cancellationToken);
            _observer.Note($"table {database}.{_table}: enabled insert deduplication ({Ddl.DeduplicationSetting})");
        }

        _schema = existing;
        await PumpAsync(checkpoint, cancellationToken);

        if (_connector.Mode == SyncMode.Full)
        {
            await SwapAsync(database, destination.Table, cancellationToken);
            LastCheckpoint = CursorRules.FullSyncAt(DateTimeOffset.FromUnixTimeMilliseconds(_runStartMillis));
            await _store.SaveAsync(_connector.Id, LastCheckpoint, cancellationToken);
        }
    }

    private async Task SwapAsync(string database, string table, CancellationToken ct)
    {
        var target = Ddl.Table(database, table);
        var staging = Ddl.Table(database, _table);
        if (await _sink.TableExistsAsync(database, table, ct))
        {
            // Atomic: readers see the old table or the new one, never an empty or partial one.
            await WithRetryAsync(c => _sink.ExecuteAsync($"EXCHANGE TABLES {staging} AND {target}", c), ct);
            await WithRetryAsync(c => _sink.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", c), ct);
        }
        else
        {
            await WithRetryAsync(c => _sink.ExecuteAsync($"RENAME TABLE {staging} TO {target}", c), ct);
        }
    }

    private async Task PumpAsync(Checkpoint? checkpoint, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstError = null;
        void Fail(Exception ex)
        {
            Interlocked.CompareExchange(ref firstError, ex, null);
            cts.Cancel();
        }

        var parallelism = Math.Max(1, _options.TransformParallelism);

        // Bounded by the reader's in-flight budget (rows and bytes read but not yet acknowledged), not by a batch count:
        // with small batches, enough of them must queue behind a running insert to fill the next one.
        var transform = new TransformBlock<DocumentBatch, EncodedBatch>(
            Transform,
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = parallelism, EnsureOrdered = true, CancellationToken = cts.Token });
        _ = transform.Completion.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var insert = Task.Run(() => InsertLoopAsync(transform, cts.Token), CancellationToken.None);
        _ = insert.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        var serializer = new ArenaSerializer(Math.Max(1, _connector.BatchSize), ArenaSerializer.InitialBytes(_connector.BatchSize, 256), _pool);
        try
        {
            using var cursor = await _source.OpenAsync(_connector, checkpoint, serializer, null, cts.Token);
            while (await cursor.MoveNextAsync(cts.Token))
            {
                while (serializer.TryTakeReady(out var batch))
                {
                    await PostAsync(transform, batch, cts.Token);
                }
            }

            var last = serializer.TakePartial();
            if (last is not null)
            {
                await PostAsync(transform, last, cts.Token);
            }

            transform.Complete();
        }
        catch (Exception ex)
        {
            serializer.Discard();
            Fail(ex);
            transform.Complete();
        }

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
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
        }
    }

    private async Task PostAsync(TransformBlock<DocumentBatch, EncodedBatch> transform, DocumentBatch batch, CancellationToken ct)
    {
        // Two inserts' worth in flight: one being sent, the next one filling up behind it. Bytes are the buffers held:
        // documents until their batch joins an insert, rows until the insert is acknowledged.
        var maxRows = 2L * Math.Max(1, _options.MaxInsertRows);
        var maxBytes = 2L * Math.Max(1, _options.MaxInsertBytes);
        while (Interlocked.Read(ref _inFlightRows) > 0
            && (Interlocked.Read(ref _inFlightRows) + batch.Count > maxRows || Interlocked.Read(ref _inFlightBytes) + batch.Bytes.Length > maxBytes))
        {
            try
            {
                await _acknowledged.WaitAsync(ct);
            }
            catch
            {
                batch.Dispose();
                throw;
            }
        }

        Interlocked.Add(ref _inFlightRows, batch.Count);
        Interlocked.Add(ref _inFlightBytes, batch.Bytes.Length);
        Interlocked.Add(ref _read, batch.Count);
        if (!await transform.SendAsync(batch, ct))
        {
            batch.Dispose();
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException("the transform stage stopped accepting batches");
        }
    }

    private EncodedBatch Transform(DocumentBatch documents)
    {
        var encoded = new EncodedBatch(documents);
        try
        {
            if (_connector.Mode == SyncMode.IncrementalTimestamp)
            {
                encoded.CursorEnds = CursorEndsOf(documents);
            }
            else
            {
                encoded.Checkpoint = CheckpointOf(documents);
            }

            Encode(encoded, _schema);
            return encoded;
        }
        catch
        {
            encoded.Dispose();
            throw;
        }
    }

    private void Encode(EncodedBatch batch, TableSchema schema)
    {
        if (!_encoders.TryTake(out var encoder))
        {
            encoder = new RowEncoder(_connector.Mapping);
        }

        try
        {
            if (batch.Rows is not null)
            {
                Interlocked.Add(ref _inFlightBytes, -batch.Rows.Length);
                batch.Rows.Dispose();
            }

            batch.Failures.Clear();
            batch.Rows = new PooledBuffer(Math.Max(4096, batch.Documents.Bytes.Length), _pool);
            batch.Schema = schema;
            batch.Status = encoder.Encode(batch.Documents.Bytes.WrittenSpan, schema, SyncedAtMillis(), Version(batch.Documents.Sequence), batch.Rows, batch.Failures, out var rows);
            batch.RowCount = rows;
            Interlocked.Add(ref _inFlightBytes, batch.Rows.Length);
        }
        finally
        {
            _encoders.Add(encoder);
        }
    }

    private Checkpoint? CheckpointOf(DocumentBatch documents)
    {
        if (_connector.Mode == SyncMode.Full || documents.Count == 0)
        {
            return null;
        }

        var bytes = documents.Bytes.WrittenSpan[documents.LastOffset..].ToArray();
        using var last = new RawBsonDocument(bytes);
        return CursorRules.FromLastDocument(_connector, last);
    }

    /// <summary>
    /// The batch's last document without a cursor value and its last one with one. The cursor sorts documents without
    /// a value first, so at most one batch of a run holds both kinds; the others cost one or two field lookups.
    /// </summary>
    private (BsonDocument? WithoutValue, BsonDocument? WithValue) CursorEndsOf(DocumentBatch documents)
    {
        var span = documents.Bytes.WrittenSpan;
        if (documents.Count == 0)
        {
            return (null, null);
        }

        var lastHasValue = TimestampCursor.HasValue(span[documents.LastOffset..], _cursorField);
        if (!lastHasValue)
        {
            return (Copy(span[documents.LastOffset..]), null);
        }

        var lastWithValue = Copy(span[documents.LastOffset..]);
        int? lastWithout = null;
        for (var position = 0; position < documents.LastOffset;)
        {
            var length = BitConverter.ToInt32(span[position..]);
            if (TimestampCursor.HasValue(span.Slice(position, length), _cursorField))
            {
                break;
            }

            lastWithout = position;
            position += length;
        }

        return (lastWithout is null ? null : Copy(span[lastWithout.Value..]), lastWithValue);

        static BsonDocument Copy(ReadOnlySpan<byte> document) =>
            new RawBsonDocument(document[..BitConverter.ToInt32(document)].ToArray()).Materialize(new MongoDB.Bson.IO.BsonBinaryReaderSettings());
    }

    /// <summary>
    /// Unique per run and insert, the same for every retry of an insert (its batches are fixed before it is first sent).
    /// Not derived from the checkpoint: a later run resuming from the same checkpoint may read different documents (the
    /// source changed), which must not be dropped.
    /// </summary>
    private string DeduplicationToken(long firstSequence, long lastSequence) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"zenith-{_connector.Id}-{_runId:N}-{firstSequence}-{lastSequence}");

    private long SyncedAtMillis() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Later runs, and later batches of a run, get higher versions, so ReplacingMergeTree keeps the newest copy.</summary>
    private ulong Version(long sequence) => ((ulong)_runStartMillis << 22) + (ulong)Math.Min(sequence, (1L << 22) - 1);

    /// <summary>
    /// The ordered stage: takes encoded batches in order and coalesces consecutive ones into one insert, up to
    /// <see cref="SyncEngineOptions.MaxInsertRows"/> / <see cref="SyncEngineOptions.MaxInsertBytes"/>; an insert goes out
    /// as soon as nothing more is queued, and before any schema change (its rows were encoded for the table as it was).
    /// </summary>
    private async Task InsertLoopAsync(TransformBlock<DocumentBatch, EncodedBatch> source, CancellationToken ct)
    {
        var group = new InsertGroup();
        try
        {
            while (true)
            {
                if (!source.TryReceive(out var batch))
                {
                    if (group.Batches.Count > 0)
                    {
                        await FlushAsync(group, ct);
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

            await FlushAsync(group, ct);
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
            if (batch.Status == EncodeStatus.NeedsSchemaChange || batch.Schema!.TypeGeneration != _schema.TypeGeneration)
            {
                // The rows already grouped were encoded for the table as it is now: send them before it changes.
                await FlushAsync(group, ct);
                if (batch.Status == EncodeStatus.NeedsSchemaChange)
                {
                    await EvolveAsync(batch, ct);
                }

                if (batch.Schema!.TypeGeneration != _schema.TypeGeneration)
                {
                    Encode(batch, _schema);
                    if (batch.Status == EncodeStatus.NeedsSchemaChange)
                    {
                        await EvolveAsync(batch, ct);
                    }
                }
            }

            if (group.Batches.Count > 0
                && (!ReferenceEquals(group.Schema, batch.Schema)
                    || group.Rows + batch.RowCount > _options.MaxInsertRows
                    || group.Bytes + batch.Rows!.Length > _options.MaxInsertBytes))
            {
                await FlushAsync(group, ct);
            }
        }
        catch
        {
            batch.Dispose();
            throw;
        }

        // Its rows are final: the documents are no longer needed.
        batch.Documents.Dispose();
        Interlocked.Add(ref _inFlightBytes, -batch.DocumentBytes);
        group.Add(batch);
        if (group.Rows >= _options.MaxInsertRows || group.Bytes >= _options.MaxInsertBytes)
        {
            await FlushAsync(group, ct);
        }
    }

    /// <summary>Sends the group as one insert, then commits its batches in order: failures, cursor, one checkpoint, progress.</summary>
    private async Task FlushAsync(InsertGroup group, CancellationToken ct)
    {
        var batches = group.Batches;
        if (batches.Count == 0)
        {
            return;
        }

        if (group.Rows > 0)
        {
            var columns = group.Schema!.InsertColumns;
            var token = DeduplicationToken(batches[0].Documents.Sequence, batches[^1].Documents.Sequence);
            var parts = batches.Where(b => b.RowCount > 0).Select(b => b.Rows!.WrittenMemory).ToArray();
            await WithRetryAsync(c => _sink.InsertAsync(_connector.Destination.Database, _table, columns, parts, token, c), ct);
        }

        Checkpoint? checkpoint = null;
        long read = 0, failed = 0;
        foreach (var batch in batches)
        {
            foreach (var failure in batch.Failures)
            {
                _observer.DocumentFailed(failure.DocumentId, failure.Reason);
            }

            if (_connector.Mode == SyncMode.IncrementalTimestamp && batch.Documents.Count > 0)
            {
                // Ordered stage: the cursor advances batch after batch, each phase keeping its own position.
                _cursor = _cursor.Advance(_connector.CursorField, batch.CursorEnds.WithoutValue, batch.CursorEnds.WithValue);
                batch.Checkpoint = _cursor.ToCheckpoint(_connector.CursorField);
            }

            checkpoint = batch.Checkpoint ?? checkpoint;
            read += batch.Documents.Count;
            failed += batch.Failures.Count;
        }

        if (checkpoint is not null)
        {
            await _store.SaveAsync(_connector.Id, checkpoint, ct);
            LastCheckpoint = checkpoint;
        }

        var progress = new SyncProgress(read, group.Rows, failed, batches.Count, group.Bytes);
        _total = new SyncProgress(
            _total.RowsRead + progress.RowsRead,
            _total.RowsWritten + progress.RowsWritten,
            _total.RowsFailed + progress.RowsFailed,
            _total.Batches + progress.Batches,
            _total.Bytes + progress.Bytes);
        var rowBytes = group.Bytes;
        group.Dispose();
        Interlocked.Add(ref _inFlightRows, -read);
        Interlocked.Add(ref _inFlightBytes, -rowBytes);
        if (_acknowledged.CurrentCount == 0)
        {
            _acknowledged.Release();
        }

        _observer.BatchCommitted(progress, _total);
    }

    /// <summary>The batch brought fields or types the table lacks: widen the schema, alter the table, encode again.</summary>
    private async Task EvolveAsync(EncodedBatch batch, CancellationToken ct)
    {
        var builder = new SchemaBuilder(_connector.Mapping, _schema);
        ObserveAll(builder, batch.Documents);
        var (schema, change) = builder.Build();
        var alter = Ddl.AlterTable(_connector.Destination.Database, _table, change);
        if (alter is not null)
        {
            await WithRetryAsync(c => _sink.ExecuteAsync(alter, c), ct);
            var added = change.Added.Count > 0 ? $"added {string.Join(", ", change.Added.Select(c => $"{c.Name} {c.Type}"))}" : null;
            var widened = change.Widened.Count > 0 ? $"widened {string.Join(", ", change.Widened.Select(c => $"{c.Name} to {c.Type}"))}" : null;
            _observer.Note($"table {_connector.Destination.Database}.{_table}: {string.Join("; ", new[] { added, widened }.Where(s => s is not null))}");
        }

        _schema = schema;
        Encode(batch, schema);
        if (batch.Status == EncodeStatus.NeedsSchemaChange)
        {
            throw new InvalidOperationException("the schema could not be extended to hold a batch; this is a bug in Zenith");
        }
    }

    private static void ObserveAll(SchemaBuilder builder, DocumentBatch documents)
    {
        var span = documents.Bytes.WrittenSpan;
        var position = 0;
        while (position + 4 <= span.Length)
        {
            var length = BitConverter.ToInt32(span[position..]);
            if (length < 5 || length > span.Length - position)
            {
                return;
            }

            try
            {
                builder.Observe(span.Slice(position, length));
            }
            catch (FormatException)
            {
                // A malformed document is reported by the encoder; it adds no columns.
            }

            position += length;
        }
    }

    private async Task WithRetryAsync(Func<CancellationToken, Task> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action(ct);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var decision = _options.Retry.Decide(attempt, TransientErrors.IsTransient(ex), Random.Shared.NextDouble());
                if (!decision.Retry)
                {
                    throw;
                }

                _observer.Note($"ClickHouse: {ex.GetType().Name}; {decision.Reason}");
                await Task.Delay(decision.Delay, _options.TimeProvider, ct);
            }
        }
    }
}
