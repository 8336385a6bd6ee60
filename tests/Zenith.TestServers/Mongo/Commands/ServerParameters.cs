using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// The server parameters getParameter and setParameter know: <c>cursorTimeoutMillis</c> (settable; idle
/// cursors are then closed, as mongod closes them) and read-only ones tools and test runners ask for.
/// </summary>
internal sealed class ServerParameters
{
    private readonly Lock _sync = new();
    private long _cursorTimeoutMillis = 10 * 60 * 1000;

    public long CursorTimeoutMillis
    {
        get
        {
            lock (_sync)
            {
                return _cursorTimeoutMillis;
            }
        }
    }

    private static Dictionary<string, BsonValue> ReadOnly() => new(StringComparer.Ordinal)
    {
        ["featureCompatibilityVersion"] = new BsonDocument("version", "7.0"),
        ["enableTestCommands"] = 1,
        ["transactionLifetimeLimitSeconds"] = (int)Sessions.SessionRegistry.TransactionLifetimeLimit.TotalSeconds,
        ["logicalSessionTimeoutMinutes"] = Sessions.SessionRegistry.LogicalSessionTimeoutMinutes,
        ["internalQueryMaxBlockingSortMemoryUsageBytes"] = (long)Query.BlockingSort.MemoryLimitBytes,
        ["allowDiskUseByDefault"] = true,
    };

    public BsonDocument Get(BsonDocument command)
    {
        var all = ReadOnly();
        all["cursorTimeoutMillis"] = CursorTimeoutMillis;
        var reply = new BsonDocument();
        if (command[0] is BsonString { Value: "*" })
        {
            reply.AddRange(all.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new BsonElement(p.Key, p.Value)));
        }
        else
        {
            foreach (var name in command.Names.Skip(1).Where(n => !CommandOptions.Generic.Contains(n) && n != "comment"))
            {
                reply[name] = all.TryGetValue(name, out var value)
                    ? value
                    : throw CommandException.InvalidOptions($"no option found to get: {name}");
            }
            if (reply.ElementCount == 0)
            {
                throw CommandException.InvalidOptions("no option found to get");
            }
        }
        reply["ok"] = 1.0;
        return reply;
    }

    public BsonDocument Set(BsonDocument command)
    {
        var names = command.Names.Skip(1).Where(n => !CommandOptions.Generic.Contains(n) && n != "comment").ToList();
        if (names.Count != 1)
        {
            throw CommandException.InvalidOptions(names.Count == 0 ? "no option found to set, use help:true to see options " : "setParameter sets one parameter at a time in this test server");
        }
        var name = names[0];
        if (name != "cursorTimeoutMillis")
        {
            throw ReadOnly().ContainsKey(name)
                ? CommandException.NotImplemented($"setting '{name}' is not supported by this test server")
                : CommandException.InvalidOptions($"attempted to set unrecognized parameter [{name}], use help:true to see options ");
        }
        var value = command[name];
        if (!value.IsNumeric || value.ToInt64() < 0)
        {
            throw CommandException.BadValue($"Invalid value for parameter cursorTimeoutMillis: {value}");
        }
        lock (_sync)
        {
            var was = _cursorTimeoutMillis;
            _cursorTimeoutMillis = value.ToInt64();
            return new BsonDocument { { "was", was }, { "ok", 1.0 } };
        }
    }
}
