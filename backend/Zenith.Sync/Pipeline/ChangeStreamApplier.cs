using System.Buffers;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// change_stream after its load: applies the stream from the stored position, continuously, in micro-batches flushed by size
/// (the connector's batch size), by time (<see cref="SyncEngineOptions.ChangeStreamFlushInterval"/>) or as soon as the stream has
/// nothing more. Each acknowledged insert stores the resume token it covers; an idle stream moves the token on (rate-limited).
/// Ends only by cancellation (between micro-batches), by an error, or when the collection is gone.
/// </summary>
internal sealed class ChangeStreamApplier(
    ConnectorSpec connector,
    DestinationTable table,
    MongoSource source,
    ClickHouseSink sink,
    RetryLoop retry,
    ICheckpointStore store,
    ISyncObserver observer,
    SyncEngineOptions options,
    string fingerprint,
    long versionFloor,
    ArrayPool<byte> pool)
{
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly DeduplicationTokens _tokens = new(connector.Id, Guid.NewGuid());
    private ChangeStreamPosition _position = null!;
    private long _inserts;
    private long _lastSavedAt;
    private DateTimeOffset? _lastEventAt;

    // The token of the last event taken into the batch (or the post-batch token after a whole batch): where a stream that
    // failed on an oversized event stands.
    private BsonDocument? _lastConsumed;

    // The second (cluster time) of the batch's first event: a batch read late (the stream was behind) is due by when it was written.
    private long _firstPendingSecond;

    /// <summary>What the stream applied so far (cumulative from <see cref="RunAsync"/>'s start total).</summary>
    public SyncProgress Total { get; private set; }

    public Checkpoint? LastCheckpoint { get; private set; }

    public async Task RunAsync(ChangeStreamPosition start, SyncProgress startTotal, CancellationToken ct)
    {
        _position = start;
        Total = startTotal;
        _lastSavedAt = _time.GetTimestamp();
        using var encoder = new RowEncoder(connector.Mapping);
        using var batch = new ChangeBatch(pool);
        observer.StreamStarted();
        observer.Note($"applying the change stream from {start.AtText}");
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var token = _position.Token;
            try
            {
                using var cursor = await ChangeStreamSource.WatchAsync(source.Collection, token, Math.Max(1, connector.BatchSize), options.ChangeStreamMaxAwait, withDocuments: true, ct);
                await ReadAsync(cursor, batch, encoder, ct);
            }
            catch (MongoCommandException ex) when (ex.Code == MongoErrors.ChangeStreamHistoryLost)
            {
                throw new ChangeStreamHistoryLostException(
                    $"the change stream's position ({_position.AtText}) is no longer in MongoDB's oplog (error 286, ChangeStreamHistoryLost)", ex);
            }
            catch (MongoCommandException ex) when (ex.Code == MongoErrors.ObjectTooLarge)
            {
                // An event is over 16 MB even without updateDescription: apply what was read, then the next event on its own.
                await FlushAsync(batch, encoder, _lastConsumed ?? _position.Token, caughtUp: false, ct);
                await ApplyNextAloneAsync(batch, encoder, ct);
            }
        }
    }

    private async Task ReadAsync(IChangeStreamCursor<BsonDocument> cursor, ChangeBatch batch, RowEncoder encoder, CancellationToken ct)
    {
        while (await cursor.MoveNextAsync(ct))
        {
            var received = 0;
            foreach (var change in cursor.Current)
            {
                received++;
                _lastConsumed = change["_id"].AsBsonDocument;
                if (Apply(change, batch) is { } gone)
                {
                    await FlushAsync(batch, encoder, change["_id"].AsBsonDocument, caughtUp: true, ct);
                    throw new ChangeStreamSourceGoneException(gone);
                }
            }

            // The batch is read whole: the post-batch resume token covers everything up to here.
            var covered = cursor.GetResumeToken() ?? _position.Token;
            _lastConsumed = covered;
            var caughtUp = received == 0;
            // Due a flush interval after its first event was read, or after it was written (counted from the end of its second): a
            // stream that fell behind (a slow insert) does not make its oldest events wait another interval once read.
            var waited = batch.Count > 0 && (_time.GetElapsedTime(batch.FirstTakenAt) >= options.ChangeStreamFlushInterval
                || _time.GetUtcNow() >= DateTimeOffset.FromUnixTimeSeconds(_firstPendingSecond + 1) + options.ChangeStreamFlushInterval);
            if (batch.Count >= connector.BatchSize || waited || (batch.Count > 0 && received == 0))
            {
                await FlushAsync(batch, encoder, covered, caughtUp, ct);
            }
            else if (batch.Count == 0 && !covered.Equals(_position.Token) && _time.GetElapsedTime(_lastSavedAt) >= options.ChangeStreamIdleCheckpointInterval)
            {
                // Idle: nothing to write, but the token moves on so the position never falls out of the oplog.
                await SaveAsync(_position with { Token = covered, At = ResumeTokens.ClusterTime(covered) }, ct);
                observer.StreamApplied(new ChangeStreamProgress(_lastEventAt, TimeOf(covered), caughtUp, default));
            }
            else if (batch.Count == 0 && received == 0)
            {
                observer.StreamApplied(new ChangeStreamProgress(_lastEventAt, TimeOf(covered), true, default));
            }

            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Turns one event into the batch's row; the reason the connector stops when the event says the collection is gone.</summary>
    private string? Apply(BsonDocument change, ChangeBatch batch)
    {
        var operation = change.GetValue("operationType", BsonString.Empty).AsString;
        var ns = $"{connector.Source.Database}.{connector.Source.Collection}";
        switch (operation)
        {
            case "insert" or "update" or "replace":
            {
                var version = NextVersion(change, batch);
                if (change.GetValue("fullDocument", BsonNull.Value) is BsonDocument document)
                {
                    batch.AddDocument(document, version, operation, _time.GetTimestamp());
                }

                // An update whose lookup found nothing: the document was deleted since, and its delete follows.
                return null;
            }

            case "delete":
                batch.AddTombstone(change["documentKey"]["_id"], NextVersion(change, batch), _time.GetTimestamp());
                return null;
            case "drop":
                return $"the collection {ns} was dropped; the connector stopped and the ClickHouse table is kept (resync or reset it to start again once the collection exists)";
            case "rename":
                var to = change.GetValue("to", BsonNull.Value) is BsonDocument t ? $"{t.GetValue("db", "")}.{t.GetValue("coll", "")}" : "another name";
                return $"the collection {ns} was renamed to {to}; the connector stopped and the ClickHouse table is kept (point the connector at the new name, or resync)";
            case "dropDatabase":
                return $"the database {connector.Source.Database} was dropped; the connector stopped and the ClickHouse table is kept";
            case "invalidate":
                return $"the change stream of {ns} was invalidated (the collection was dropped or renamed); the connector stopped and the ClickHouse table is kept";
            default:
                // Events Zenith does not apply (index builds and the like, only with showExpandedEvents) carry no document.
                return null;
        }
    }

    /// <summary>The event's version: its cluster time, and its ordinal among the events of that time (continued across restarts).</summary>
    private UInt128 NextVersion(BsonDocument change, ChangeBatch batch)
    {
        var at = change["clusterTime"].AsBsonTimestamp;
        if (batch.Count == 0)
        {
            _firstPendingSecond = at.Timestamp;
        }

        var ordinal = at.Value == _position.EventAt.Value ? _position.Ordinal + 1 : 1;
        _position = _position with { EventAt = at, Ordinal = ordinal };
        _lastEventAt = DateTimeOffset.FromUnixTimeSeconds(at.Timestamp);
        return ChangeVersions.Of((ulong)at.Value, ordinal);
    }

    /// <summary>Writes the batch as one insert, then stores the token it covers.</summary>
    private async Task FlushAsync(ChangeBatch batch, RowEncoder encoder, BsonDocument covered, bool caughtUp, CancellationToken ct)
    {
        var counts = batch.Counts;
        var position = _position with { Token = covered, At = ResumeTokens.ClusterTime(covered) };
        if (batch.Count == 0 && covered.Equals(_position.Token))
        {
            return;
        }

        long rows = 0, bytes = 0, failed = 0;
        if (batch.Count > 0)
        {
            using var output = new PooledBuffer(Math.Max(4096, batch.Rows.Bytes.Length), pool);
            var failures = new List<DocumentFailure>();
            var status = encoder.Encode(batch.Rows.Documents, table.Schema, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0, output, failures, out var encoded, batch.Stamps);
            if (status == EncodeStatus.NeedsSchemaChange)
            {
                await table.EvolveAsync(batch.Rows, ct);
                status = encoder.Encode(batch.Rows.Documents, table.Schema, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0, output, failures, out encoded, batch.Stamps);
                if (status == EncodeStatus.NeedsSchemaChange)
                {
                    throw new InvalidOperationException("the schema could not be extended to hold a change batch; this is a bug in Zenith");
                }
            }

            if (encoded > 0)
            {
                var token = _tokens.For(_inserts, _inserts);
                _inserts++;
                var schema = table.Schema;
                await retry.RunAsync(c => sink.InsertAsync(table.Database, table.Name, schema.InsertColumns, [output.WrittenMemory], token, schema.HasJsonColumns, c), ct);
            }

            foreach (var failure in failures)
            {
                observer.DocumentFailed(failure.DocumentId, failure.Reason);
            }

            rows = encoded;
            bytes = output.Length;
            failed = failures.Count;
        }

        var read = batch.Count;
        batch.Clear();
        await SaveAsync(position, ct);
        var progress = new SyncProgress(read, rows, failed, 1, bytes);
        Total = new SyncProgress(Total.RowsRead + read, Total.RowsWritten + rows, Total.RowsFailed + failed, Total.Batches + 1, Total.Bytes + bytes);
        if (read > 0)
        {
            observer.BatchCommitted(progress, Total);
        }

        observer.StreamApplied(new ChangeStreamProgress(_lastEventAt, TimeOf(covered), caughtUp, counts));
    }

    private static DateTimeOffset? TimeOf(BsonDocument token) =>
        ResumeTokens.ClusterTime(token) is { Timestamp: > 0 } at ? DateTimeOffset.FromUnixTimeSeconds(at.Timestamp) : null;

    private async Task SaveAsync(ChangeStreamPosition position, CancellationToken ct)
    {
        var checkpoint = position.ToCheckpoint(fingerprint, versionFloor);
        await store.SaveAsync(connector.Id, checkpoint, ct);
        _position = position;
        LastCheckpoint = checkpoint;
        _lastSavedAt = _time.GetTimestamp();
    }

    /// <summary>
    /// A getMore failed on an event over 16 MB (BSONObjectTooLarge): the event right after the position is read alone. When it
    /// reads with its document it is applied as usual (the failing one comes later); when it does not, it is read without its
    /// document (its key is enough), counted and reported, and the document written as a point query finds it now (none: it
    /// was deleted since, and its delete follows).
    /// </summary>
    private async Task ApplyNextAloneAsync(ChangeBatch batch, RowEncoder encoder, CancellationToken ct)
    {
        BsonDocument? change;
        try
        {
            change = await NextEventAsync(withDocuments: true, ct);
        }
        catch (MongoCommandException ex) when (ex.Code == MongoErrors.ObjectTooLarge)
        {
            change = await NextEventAsync(withDocuments: false, ct);
            if (change is null)
            {
                return;
            }

            var id = change.GetValue("documentKey", new BsonDocument()).AsBsonDocument.GetValue("_id", BsonNull.Value);
            observer.Note($"the change event of _id {IdText(id)} is over MongoDB's 16 MB limit; the document was read again by _id");
            batch.CountUnreadable();
            var operation = change.GetValue("operationType", BsonString.Empty).AsString;
            if (operation is "insert" or "update" or "replace")
            {
                change["fullDocument"] = await source.Collection.Find(new BsonDocument("_id", id)).FirstOrDefaultAsync(ct) is { } document ? document : BsonNull.Value;
            }
        }

        if (change is null)
        {
            return;
        }

        var gone = Apply(change, batch);
        await FlushAsync(batch, encoder, change["_id"].AsBsonDocument, caughtUp: false, ct);
        if (gone is not null)
        {
            throw new ChangeStreamSourceGoneException(gone);
        }
    }

    /// <summary>The first event after the position, read on a stream of its own with batches of one; null if none comes.</summary>
    private async Task<BsonDocument?> NextEventAsync(bool withDocuments, CancellationToken ct)
    {
        using var cursor = await ChangeStreamSource.WatchAsync(source.Collection, _position.Token, 1, options.ChangeStreamMaxAwait, withDocuments, ct);
        for (var attempt = 0; attempt < 10 && await cursor.MoveNextAsync(ct); attempt++)
        {
            if (cursor.Current.FirstOrDefault() is { } change)
            {
                return change;
            }
        }

        return null;
    }

    private static string IdText(BsonValue id) => id.IsObjectId ? id.AsObjectId.ToString() : id.IsString ? id.AsString : id.ToString()!;
}
