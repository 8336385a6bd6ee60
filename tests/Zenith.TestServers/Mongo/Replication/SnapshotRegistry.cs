namespace Zenith.TestServers.Mongo.Replication;

/// <summary>
/// The snapshots open transactions read from. While any is open, writes keep undo records so a
/// snapshot can be rebuilt; a snapshot's time is taken under the oplog's lock, where writes get theirs.
/// </summary>
internal sealed class SnapshotRegistry
{
    private readonly Lock _sync = new();
    private readonly SortedDictionary<long, int> _open = [];
    private int _count;

    public bool AnyOpen => Volatile.Read(ref _count) > 0;

    /// <summary>The oldest open snapshot's time, or null.</summary>
    public long? Oldest
    {
        get
        {
            lock (_sync)
            {
                return _open.Count > 0 ? _open.Keys.First() : null;
            }
        }
    }

    public long Open(Oplog oplog, ClusterClock clock) => oplog.Locked(() =>
    {
        var ts = clock.Latest.Value;
        lock (_sync)
        {
            _open[ts] = _open.GetValueOrDefault(ts) + 1;
            Interlocked.Increment(ref _count);
        }
        return ts;
    });

    public void Close(long ts)
    {
        lock (_sync)
        {
            if (_open.TryGetValue(ts, out var n))
            {
                if (n == 1)
                {
                    _open.Remove(ts);
                }
                else
                {
                    _open[ts] = n - 1;
                }
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
