using System.Collections.Concurrent;
using System.Security.Cryptography;
using Zenith.TestServers.Mongo.Query;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>Open cursors by id; cursors idle for ten minutes are dropped, as mongod does.</summary>
internal sealed class CursorRegistry
{
    private static readonly long IdleTimeoutMs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();

    public long Register(ServerCursor cursor)
    {
        ExpireIdle();
        do
        {
            cursor.Id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1000L + RandomNumberGenerator.GetInt32(1000);
        }
        while (!_cursors.TryAdd(cursor.Id, cursor));
        return cursor.Id;
    }

    public ServerCursor? Find(long id) => _cursors.TryGetValue(id, out var c) ? c : null;

    public bool Remove(long id) => _cursors.TryRemove(id, out _);

    private void ExpireIdle()
    {
        var now = Environment.TickCount64;
        foreach (var (id, cursor) in _cursors)
        {
            if (now - cursor.LastUsed > IdleTimeoutMs)
            {
                _cursors.TryRemove(id, out _);
            }
        }
    }
}
