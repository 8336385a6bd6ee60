using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.ChangeStreams;

/// <summary>
/// An open change stream: a position in the oplog, read forward on each batch. Every batch ends with a
/// postBatchResumeToken — the last event's token when the batch filled up, otherwise a high-water
/// mark at the newest oplog entry scanned, so the token advances even while the watched collection is
/// idle. A getMore with nothing to return waits for the next oplog entry (up to maxAwaitTimeMS).
/// </summary>
internal sealed class ChangeStreamCursor : ServerCursor
{
    private const int MaxEventBytes = 16 * 1024 * 1024 + 16 * 1024;
    private readonly ChangeStreamSpec _spec;
    private readonly Oplog _oplog;
    private readonly ChangeEvents _events;
    private readonly Queue<ChangeEvent> _pending = new();
    private long _position;
    private long _scannedTs;
    private ResumeToken? _skipThrough;
    private bool _invalidated;

    public ChangeStreamCursor(ChangeStreamSpec spec, ServerContext server) : base(spec.Namespace)
    {
        _spec = spec;
        _oplog = server.Oplog;
        _events = new ChangeEvents(spec, server.Store);
        (_position, _scannedTs, _skipThrough) = Start(spec, server);
        PostBatchResumeToken = ResumeToken.HighWaterMark(_scannedTs, _position);
    }

    public ResumeToken PostBatchResumeToken { get; private set; }

    /// <summary>Whether a batch could be filled now without waiting.</summary>
    public bool HasPending => _pending.Count > 0 || _invalidated || _oplog.NextSequence > _position;

    public long Position => _position;

    private static (long Position, long ScannedTs, ResumeToken? SkipThrough) Start(ChangeStreamSpec spec, ServerContext server)
    {
        var oplog = server.Oplog;
        var token = spec.ResumeAfter ?? spec.StartAfter;
        if (token is not null)
        {
            if (token.FromInvalidate && spec.ResumeAfter is not null)
            {
                throw new CommandException(260, "InvalidResumeToken", "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.")
                {
                    Labels = ["NonResumableChangeStreamError"],
                };
            }
            if (token.Sequence < oplog.OldestSequence)
            {
                throw HistoryLost();
            }
            if (token.IsHighWaterMark)
            {
                return (token.Sequence, token.Ts, null);
            }
            var entry = oplog.Find(token.Sequence);
            if (entry is null || entry.Sequence != token.Sequence || entry.Ts.Value != token.Ts || entry.CollectionUuid != token.Uuid)
            {
                throw new CommandException(280, "ChangeStreamFatalError", "cannot resume stream; the resume token was not found.")
                {
                    Labels = ["NonResumableChangeStreamError"],
                };
            }
            // startAfter an invalidate starts a new stream after the entry that invalidated the old one.
            return token.FromInvalidate ? (token.Sequence + 1, token.Ts, null) : (token.Sequence, token.Ts, token);
        }
        if (spec.StartAtOperationTime is { } at)
        {
            if (oplog.OldestTimestamp is { } oldest && (ulong)at.Value < (ulong)oldest && oplog.OldestSequence > 1)
            {
                throw HistoryLost();
            }
            return (oplog.SequenceAtOrAfter(at.Value), at.Value - 1, null);
        }
        // No resume option: the stream starts at the current time (after every entry written so far).
        return oplog.Locked(() => (oplog.NextSequence, server.Clock.Latest.Value, (ResumeToken?)null));
    }

    private static CommandException HistoryLost() =>
        new(286, "ChangeStreamHistoryLost", "Resume of change stream was not possible, as the resume point may no longer be in the oplog.")
        {
            Labels = ["NonResumableChangeStreamError"],
        };

    public override bool Fill(BatchWriter batch)
    {
        ResumeToken? lastReturned = null;
        while (!_invalidated)
        {
            if (_pending.Count == 0 && !ReadUntilAnEvent())
            {
                break;
            }
            var next = _pending.Peek();
            var output = _spec.Transform(next.Document);
            if (output is null)
            {
                _pending.Dequeue();
                continue;
            }
            if (!output.TryGetValue("_id", out var id) || !id.Equals(next.Document["_id"]))
            {
                throw new CommandException(280, "ChangeStreamFatalError",
                    "Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.")
                {
                    Labels = ["NonResumableChangeStreamError"],
                };
            }
            var bytes = output.ToBson();
            if (bytes.Length > MaxEventBytes)
            {
                throw new CommandException(10334, "BSONObjectTooLarge",
                    $"Executor error during getMore :: caused by :: BSONObj size: {bytes.Length} (0x{bytes.Length:X}) is invalid. Size must be between 0 and 16793600(16MB) First element: _id: {id}");
            }
            if (!batch.TryAdd(bytes))
            {
                // The batch is full: the next batch starts with this event, and the token is the last one returned.
                PostBatchResumeToken = lastReturned ?? PostBatchResumeToken;
                return false;
            }
            _pending.Dequeue();
            lastReturned = next.Token;
            if (next.IsInvalidate)
            {
                PostBatchResumeToken = next.Token;
                _invalidated = true;
                return true;
            }
            if (batch.IsFull)
            {
                PostBatchResumeToken = next.Token;
                return false;
            }
        }
        // Caught up: a high-water mark at the newest entry scanned (the token moves on while the collection is idle).
        PostBatchResumeToken = _pending.Count == 0 ? ResumeToken.HighWaterMark(_scannedTs, _position) : lastReturned ?? PostBatchResumeToken;
        return _invalidated;
    }

    // Reads oplog entries until one gives an event; false when the oplog has nothing more yet.
    private bool ReadUntilAnEvent()
    {
        while (_pending.Count == 0)
        {
            if (!ReadMore())
            {
                return false;
            }
        }
        return true;
    }

    // Reads the next oplog entries into the pending events; false when there are none yet.
    private bool ReadMore()
    {
        var entries = _oplog.Read(_position, 256, out var lost);
        if (lost)
        {
            throw HistoryLost();
        }
        foreach (var entry in entries)
        {
            _position = entry.Sequence + 1;
            _scannedTs = entry.Ts.Value;
            foreach (var changeEvent in _events.For(entry))
            {
                if (_skipThrough is { } skip && entry.Sequence == skip.Sequence && !After(changeEvent.Token, skip))
                {
                    continue;
                }
                _pending.Enqueue(changeEvent);
            }
            _skipThrough = null;
        }
        return entries.Count > 0;
    }

    // Within one oplog entry, an invalidate comes after the event that caused it.
    private static bool After(ResumeToken a, ResumeToken b) => a.FromInvalidate && !b.FromInvalidate;

    /// <summary>Waits (without polling) for an oplog entry this cursor has not read, up to <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _oplog.WaitAsync(_position, timeout, cancellationToken);
}
