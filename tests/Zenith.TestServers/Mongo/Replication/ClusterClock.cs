using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Replication;

/// <summary>
/// The replica set's logical clock: a BSON timestamp (seconds, increment) that only moves forward,
/// one tick per oplog entry (a transaction's entries share one). Ticked under the oplog's lock.
/// </summary>
internal sealed class ClusterClock(TimeProvider time)
{
    private long _last = new BsonTimestamp((int)time.GetUtcNow().ToUnixTimeSeconds(), 0).Value;

    /// <summary>The latest time handed out: the cluster time and operation time replies carry.</summary>
    public BsonTimestamp Latest => new(Interlocked.Read(ref _last));

    public long WallClockMilliseconds => time.GetUtcNow().ToUnixTimeMilliseconds();

    public BsonTimestamp Tick()
    {
        var seconds = time.GetUtcNow().ToUnixTimeSeconds();
        var last = new BsonTimestamp(Interlocked.Read(ref _last));
        var next = seconds > (uint)last.Timestamp ? new BsonTimestamp((int)seconds, 1) : new BsonTimestamp(last.Value + 1);
        Interlocked.Exchange(ref _last, next.Value);
        return next;
    }
}
