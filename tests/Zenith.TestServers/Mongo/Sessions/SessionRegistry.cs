using System.Collections.Concurrent;
using System.Security.Cryptography;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Sessions;

/// <summary>
/// The server's logical sessions by lsid. Sessions idle past logicalSessionTimeoutMinutes are
/// forgotten, and transactions open past transactionLifetimeLimitSeconds are aborted, as mongod does.
/// </summary>
internal sealed class SessionRegistry(TimeProvider time)
{
    public const int LogicalSessionTimeoutMinutes = 30;
    public static readonly TimeSpan TransactionLifetimeLimit = TimeSpan.FromSeconds(60);

    // An unauthenticated session's uid: SHA-256 of the empty user name.
    private static readonly byte[] AnonymousUid = SHA256.HashData([]);

    private readonly ConcurrentDictionary<Guid, ServerSession> _sessions = new();

    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The session a command's <c>lsid</c> names, created on first use.</summary>
    public ServerSession Get(BsonValue lsid)
    {
        if (lsid is not BsonDocument d || d.GetValue("id", BsonNull.Value) is not BsonBinaryData { SubType: BsonBinarySubType.UuidStandard } binary)
        {
            throw CommandException.TypeMismatch("lsid must be an object with a UUID 'id'");
        }
        var id = binary.ToGuid(GuidRepresentation.Standard);
        var session = _sessions.GetOrAdd(id, _ => new ServerSession(id,
            new BsonDocument { { "id", binary }, { "uid", new BsonBinaryData(AnonymousUid) } }, Now));
        session.LastUseMilliseconds = Now;
        return session;
    }

    public void End(Guid id)
    {
        if (_sessions.TryRemove(id, out var session))
        {
            lock (session.Sync)
            {
                session.Transaction?.Abort();
            }
        }
    }

    /// <summary>Aborts transactions past their lifetime and forgets idle sessions.</summary>
    public void Reap()
    {
        var now = Now;
        foreach (var (id, session) in _sessions)
        {
            lock (session.Sync)
            {
                if (session.Transaction is { IsInProgress: true } txn && now - txn.StartedMilliseconds > TransactionLifetimeLimit.TotalMilliseconds)
                {
                    txn.Abort(expired: true);
                }
                if (now - session.LastUseMilliseconds > TimeSpan.FromMinutes(LogicalSessionTimeoutMinutes).TotalMilliseconds)
                {
                    session.Transaction?.Abort();
                    _sessions.TryRemove(id, out _);
                }
            }
        }
    }
}
