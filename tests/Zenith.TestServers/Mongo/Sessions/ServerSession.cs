using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Sessions;

/// <summary>
/// A logical session (its <c>lsid</c>): the highest txnNumber it used, its current or last
/// transaction, and the reply of its last retryable write, so a retry is answered without writing twice.
/// Read and written under <see cref="Sync"/>.
/// </summary>
internal sealed class ServerSession(Guid id, BsonDocument lsid, long now)
{
    public Guid Id { get; } = id;

    /// <summary>The lsid as change events show it: <c>{id, uid}</c>.</summary>
    public BsonDocument Lsid { get; } = lsid;

    public Lock Sync { get; } = new();

    public long LastUseMilliseconds { get; set; } = now;

    public long TxnNumber { get; set; } = -1;

    public Transaction? Transaction { get; set; }

    /// <summary>The txnNumber and command of the last retryable write, with its reply.</summary>
    public (long TxnNumber, string Command, byte[] Reply)? LastRetryableWrite { get; set; }
}
