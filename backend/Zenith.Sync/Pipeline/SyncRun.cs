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
internal sealed class SyncRun
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
        var transform = new TransformBlock<DocumentBatch, EncodedBatch>(
            Transform,
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = parallelism, BoundedCapacity = parallelism * 2, EnsureOrdered = true, CancellationToken = cts.Token });
        var commit = new ActionBlock<EncodedBatch>(
            batch => CommitAsync(batch, cts.Token),
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = 1, BoundedCapacity = 2, CancellationToken = cts.Token });
        transform.LinkTo(commit, new DataflowLinkOptions { PropagateCompletion = true });
        _ = transform.Completion.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = commit.Completion.ContinueWith(t => Fail(t.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        var serializer = new ArenaSerializer(Math.Max(1, _connector.BatchSize), 256);
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
            await Task.WhenAll(transform.Completion, commit.Completion);
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
            batch.Rows?.Dispose();
            batch.Failures.Clear();
            batch.Rows = new PooledBuffer(Math.Max(4096, batch.Documents.Bytes.Length));
            batch.Schema = schema;
            batch.Status = encoder.Encode(batch.Documents.Bytes.WrittenSpan, schema, SyncedAtMillis(), Version(batch.Documents.Sequence), batch.Rows, batch.Failures, out var rows);
            batch.RowCount = rows;
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
    /// Unique per run and batch, the same for every retry of a batch. Not derived from the checkpoint: a later run
    /// resuming from the same checkpoint may read different documents (the source changed), which must not be dropped.
    /// </summary>
    private string DeduplicationToken(long sequence) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"zenith-{_connector.Id}-{_runId:N}-{sequence}");

    private long SyncedAtMillis() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Later runs, and later batches of a run, get higher versions, so ReplacingMergeTree keeps the newest copy.</summary>
    private ulong Version(long sequence) => ((ulong)_runStartMillis << 22) + (ulong)Math.Min(sequence, (1L << 22) - 1);

    private async Task CommitAsync(EncodedBatch batch, CancellationToken ct)
    {
        using (batch)
        {
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

            var bytes = batch.Rows!.Length;
            if (batch.RowCount > 0)
            {
                var columns = batch.Schema.InsertColumns;
                var token = DeduplicationToken(batch.Documents.Sequence);
                await WithRetryAsync(c => _sink.InsertAsync(_connector.Destination.Database, _table, columns, batch.Rows.WrittenMemory, batch.Rows.RawArray, token, c), ct);
            }

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

            if (batch.Checkpoint is not null)
            {
                await _store.SaveAsync(_connector.Id, batch.Checkpoint, ct);
                LastCheckpoint = batch.Checkpoint;
            }

            var progress = new SyncProgress(batch.Documents.Count, batch.RowCount, batch.Failures.Count, 1, bytes);
            _total = new SyncProgress(
                _total.RowsRead + progress.RowsRead,
                _total.RowsWritten + progress.RowsWritten,
                _total.RowsFailed + progress.RowsFailed,
                _total.Batches + 1,
                _total.Bytes + bytes);
            _observer.BatchCommitted(progress, _total);
        }
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
