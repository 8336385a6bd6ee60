namespace Zenith.TestServers.Mongo.Replication;

/// <summary>
/// The server's own oplog: every write in order, capped at a size in bytes like mongod's (the oldest
/// entries go first), so a change stream that waits too long falls off it (ChangeStreamHistoryLost).
/// Readers wait for new entries on a signal, not a poll loop.
/// </summary>
internal sealed class Oplog(long maxBytes)
{
    private readonly Lock _sync = new();
    private readonly List<OplogEntry> _entries = [];
    private int _head;
    private long _bytes;
    private long _nextSequence = 1;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Whether someone waits on _appended: only then does an append complete it and start a new one.
    private bool _awaited;

    public long MaxBytes => maxBytes;

    /// <summary>The sequence number the next entry will get.</summary>
    public long NextSequence
    {
        get
        {
            lock (_sync)
            {
                return _nextSequence;
            }
        }
    }

    /// <summary>The sequence of the oldest entry still kept (NextSequence when the oplog is empty).</summary>
    public long OldestSequence
    {
        get
        {
            lock (_sync)
            {
                return _head < _entries.Count ? _entries[_head].Sequence : _nextSequence;
            }
        }
    }

    /// <summary>The newest entry, or null when nothing was ever written.</summary>
    public OplogEntry? Newest
    {
        get
        {
            lock (_sync)
            {
                return _head < _entries.Count ? _entries[^1] : null;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> under the oplog's lock, where the clock ticks (so it sees a consistent time).</summary>
    public T Locked<T>(Func<T> action)
    {
        lock (_sync)
        {
            return action();
        }
    }

    /// <summary>Appends entries built by <paramref name="build"/>, which receives the first sequence number, atomically.</summary>
    public void Append(Func<long, IReadOnlyList<OplogEntry>> build)
    {
        TaskCompletionSource? appended = null;
        lock (_sync)
        {
            var entries = build(_nextSequence);
            if (entries.Count == 0)
            {
                return;
            }
            foreach (var entry in entries)
            {
                _entries.Add(entry);
                _bytes += entry.Size;
                _nextSequence = entry.Sequence + 1;
            }
            Truncate();
            if (_awaited)
            {
                appended = _appended;
                _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _awaited = false;
            }
        }
        appended?.TrySetResult();
    }

    // Drops the oldest entries beyond the size, always keeping the newest one, as a capped collection does.
    private void Truncate()
    {
        while (_bytes > maxBytes && _entries.Count - _head > 1)
        {
            _bytes -= _entries[_head].Size;
            _entries[_head] = null!;
            _head++;
        }
        if (_head > 4096 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> entries with a sequence at or after <paramref name="from"/>;
    /// <paramref name="lost"/> is true when entries the reader had not seen were truncated away.
    /// </summary>
    public List<OplogEntry> Read(long from, int max, out bool lost)
    {
        lock (_sync)
        {
            var oldest = _head < _entries.Count ? _entries[_head].Sequence : _nextSequence;
            lost = from < oldest;
            var result = new List<OplogEntry>();
            if (lost)
            {
                return result;
            }
            var index = _head + (int)(from - oldest);
            for (; index < _entries.Count && result.Count < max; index++)
            {
                result.Add(_entries[index]);
            }
            return result;
        }
    }

    /// <summary>The first entry at or after <paramref name="sequence"/> still kept; null when it is past the end.</summary>
    public OplogEntry? Find(long sequence)
    {
        lock (_sync)
        {
            var oldest = _head < _entries.Count ? _entries[_head].Sequence : _nextSequence;
            var index = _head + (int)Math.Max(0, sequence - oldest);
            return index < _entries.Count ? _entries[index] : null;
        }
    }

    /// <summary>The sequence of the first entry whose timestamp is at or after <paramref name="ts"/> (NextSequence if none).</summary>
    public long SequenceAtOrAfter(long ts)
    {
        lock (_sync)
        {
            int lo = _head, hi = _entries.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if ((ulong)_entries[mid].Ts.Value < (ulong)ts)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo < _entries.Count ? _entries[lo].Sequence : _nextSequence;
        }
    }

    /// <summary>The oldest timestamp still in the oplog, or null when it is empty.</summary>
    public long? OldestTimestamp
    {
        get
        {
            lock (_sync)
            {
                return _head < _entries.Count ? _entries[_head].Ts.Value : null;
            }
        }
    }

    /// <summary>Completes when an entry with a sequence at or after <paramref name="sequence"/> exists, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(long sequence, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task appended;
        lock (_sync)
        {
            if (_nextSequence > sequence)
            {
                return;
            }
            appended = _appended.Task;
            _awaited = true;
        }
        await Task.WhenAny(appended, Task.Delay(timeout, cancellationToken));
    }
}
