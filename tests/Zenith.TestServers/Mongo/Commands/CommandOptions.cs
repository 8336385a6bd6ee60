using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// The options every command accepts (mongod's generic arguments), and the options this server knows
/// but does not implement, which it refuses with NotImplemented (238) instead of ignoring: a silently
/// ignored collation or <c>let</c> would give results MongoDB never gives.
/// </summary>
internal static class CommandOptions
{
    /// <summary>From mongod's <c>generic_argument.idl</c>.</summary>
    public static readonly IReadOnlySet<string> Generic = new HashSet<string>(StringComparer.Ordinal)
    {
        "apiVersion", "apiStrict", "apiDeprecationErrors", "$db", "maxTimeMS", "readConcern", "writeConcern", "lsid",
        "clientOperationKey", "txnNumber", "autocommit", "startTransaction", "stmtId", "comment", "$readPreference",
        "$clusterTime", "$audit", "$client", "$configServerState", "allowImplicitCollectionCreation", "$oplogQueryData",
        "$queryOptions", "$replData", "databaseVersion", "shardVersion", "tracking_info", "coordinator", "maxTimeMSOpOnly",
        "$configTime", "$topologyTime", "txnRetryCounter", "mayBypassWriteBlocking", "$tenant", "expectPrefix",
    };

    public static IReadOnlySet<string> Fields(params string[] names) => new HashSet<string>(names, StringComparer.Ordinal);

    /// <summary>Refuses the options of <paramref name="options"/> (a command body or one statement) that this server does not implement.</summary>
    public static void RejectUnimplemented(string command, BsonDocument options)
    {
        if (options.TryGetValue("collation", out var collation) && !IsSimpleCollation(collation))
        {
            throw CommandException.NotImplemented($"{command}: collations are not supported by this test server (only {{locale: \"simple\"}}, binary comparison)");
        }
        if (options.TryGetValue("let", out var let) && !(let is BsonDocument { ElementCount: 0 }))
        {
            throw CommandException.NotImplemented($"{command}: 'let' variables are not supported by this test server");
        }
        if (options.TryGetValue("arrayFilters", out var filters) && !(filters is BsonArray { Count: 0 }))
        {
            throw CommandException.NotImplemented($"{command}: arrayFilters are not supported by this test server");
        }
        if (options.TryGetValue("readConcern", out var readConcern) && readConcern is BsonDocument rc)
        {
            CheckReadConcern(command, rc, options);
        }
    }

    private static bool IsSimpleCollation(BsonValue collation) =>
        collation is BsonDocument d && d.ElementCount == 1 && d.TryGetValue("locale", out var locale) && locale == "simple";

    private static void CheckReadConcern(string command, BsonDocument readConcern, BsonDocument options)
    {
        var level = readConcern.GetValue("level", "local");
        if (level is not BsonString { Value: "local" or "majority" or "available" or "linearizable" or "snapshot" })
        {
            throw CommandException.FailedToParse($"{command}: readConcern level must be one of local, majority, available, linearizable, snapshot; found {level}");
        }
        if (readConcern.Contains("atClusterTime"))
        {
            throw CommandException.NotImplemented($"{command}: readConcern atClusterTime (snapshot reads at a point in time) is not supported by this test server");
        }
        if (level == "snapshot" && !options.Contains("txnNumber"))
        {
            throw CommandException.NotImplemented($"{command}: readConcern level snapshot outside a transaction is not supported by this test server");
        }
    }
}
