using System.Collections.Concurrent;
using System.Security.Cryptography;
using Zenith.TestServers.Mongo.Query;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// Open cursors by id. A cursor idle longer than cursorTimeoutMillis (10 minutes unless set) is closed,
/// as mongod does, unless it was opened with noCursorTimeout; a getMore then answers CursorNotFound (43).
/// </summary>
internal sealed class CursorRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();

    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public long Register(ServerCursor cursor)
    {
        cursor.LastUsed = Now;
        do
        {
            cursor.Id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1000L + RandomNumberGenerator.GetInt32(1000);
        }
        while (!_cursors.TryAdd(cursor.Id, cursor));
        return cursor.Id;
    }

    public ServerCursor? Find(long id) => _cursors.TryGetValue(id, out var c) ? c : null;

    public bool Remove(long id) => _cursors.TryRemove(id, out _);

    /// <summary>Closes cursors idle for longer than <paramref name="timeoutMilliseconds"/>.</summary>
    public void ExpireIdle(long timeoutMilliseconds)
    {
        var now = Now;
        foreach (var (id, cursor) in _cursors)
        {
            if (!cursor.NoTimeout && !cursor.InUse && now - cursor.LastUsed > timeoutMilliseconds)
            {
                _cursors.TryRemove(id, out _);
            }
        }
    }
}
