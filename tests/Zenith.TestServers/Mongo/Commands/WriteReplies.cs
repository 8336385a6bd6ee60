using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>The reply of insert, update and delete: counts, per-statement write errors and the write concern's verdict.</summary>
internal sealed partial class CommandDispatcher
{
    private static BsonDocument WriteReply(CommandRequest request, long n, long? modified, BsonArray? upserted, BsonArray writeErrors)
    {
        var reply = new BsonDocument("n", n <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n));
        if (modified is not null)
        {
            reply["nModified"] = (int)modified.Value;
        }
        if (upserted is { Count: > 0 })
        {
            reply["upserted"] = upserted;
        }
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }
        if (WriteConcernError(request.Body) is { } concernError)
        {
            reply["writeConcernError"] = concernError;
        }
        reply["ok"] = 1.0;
        return reply;
    }

    /// <summary>
    /// Errors that fail the whole command rather than one statement, as in mongod: an interruption such as
    /// MaxTimeMSExpired, and in a transaction a write conflict (labelled TransientTransactionError, so the
    /// client retries the transaction).
    /// </summary>
    private static bool AbortsTheCommand(CommandRequest request, CommandException e) =>
        e.Code is 50 or 11600 or 11601 or 11602 || (e.Code == 112 && request.Access.Transaction is not null);

    /// <summary>One statement's failure as mongod lists it in <c>writeErrors</c>.</summary>
    private static BsonDocument WriteError(int index, CommandException e)
    {
        var error = new BsonDocument { { "index", index }, { "code", e.Code } };
        if (e.Extra is not null)
        {
            error.AddRange(e.Extra);
        }
        error["errmsg"] = e.Message;
        return error;
    }

    /// <summary>
    /// A one-node replica set satisfies w: 1 and "majority" at once; a larger w or an unknown tag set
    /// cannot be met, and mongod says so in <c>writeConcernError</c> (the write itself is applied).
    /// </summary>
    private static BsonDocument? WriteConcernError(BsonDocument body)
    {
        if (!body.TryGetValue("writeConcern", out var wc) || wc is not BsonDocument concern || !concern.TryGetValue("w", out var w))
        {
            return null;
        }
        if (w.IsNumeric && w.ToInt64() > 1)
        {
            return new BsonDocument { { "code", 100 }, { "codeName", "UnsatisfiableWriteConcern" }, { "errmsg", "Not enough data-bearing nodes" } };
        }
        if (w is BsonString { Value: not "majority" } tag)
        {
            return new BsonDocument { { "code", 79 }, { "codeName", "UnknownReplWriteConcern" }, { "errmsg", $"No write concern mode named '{tag.Value}' found in replica set configuration" } };
        }
        return null;
    }
}
