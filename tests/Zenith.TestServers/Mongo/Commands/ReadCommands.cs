using MongoDB.Bson;
using Zenith.TestServers.Mongo.ChangeStreams;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>find, getMore, killCursors, count.</summary>
internal sealed partial class CommandDispatcher
{
    // mongod's default first batch when the client sets no batchSize.
    private const int DefaultFirstBatch = 101;

    private static readonly IReadOnlySet<string> FindFields = CommandOptions.Fields(
        "filter", "projection", "sort", "hint", "collation", "skip", "limit", "batchSize", "ntoreturn", "singleBatch",
        "allowDiskUse", "min", "max", "returnKey", "showRecordId", "$queryOptions", "tailable", "oplogReplay",
        "noCursorTimeout", "awaitData", "allowPartialResults", "let", "options", "term", "readOnce",
        "allowSpeculativeMajorityRead", "$_requestResumeToken", "$_resumeAfter", "runtimeConstants", "collectionUUID");

    private static readonly IReadOnlySet<string> CountFields = CommandOptions.Fields(
        "query", "limit", "skip", "hint", "collation", "fields", "encryptionInformation");

    private void Find(CommandRequest request, MessageBuffer output)
    {
        var (query, projection, singleBatch) = ParseFind(request, request.Body);
        var collection = FindCollection(request);
        var ns = request.Database + "." + request.Collection;
        ServerCursor cursor;
        if (request.Access.Transaction is not null && collection is not null)
        {
            // A transaction reads its snapshot: the result is taken now, as of that snapshot.
            lock (collection.Sync)
            {
                cursor = new ListCursor(ns, [.. request.Access.Collect(collection, query).Select(v => v.Document)], projection);
            }
        }
        else
        {
            cursor = QueryExecutor.OpenCursor(ns, collection, query, projection);
        }
        cursor.NoTimeout = request.OptionalBool("noCursorTimeout");
        WriteCursorReply(output, cursor, NonNegativeBatchSize(request.Body, DefaultFirstBatch), isFirstBatch: true, singleBatch);
    }

    /// <summary>Reads and checks a find command (also the one inside an explain).</summary>
    private static (QuerySpec Query, Projection? Projection, bool SingleBatch) ParseFind(CommandRequest request, BsonDocument body)
    {
        foreach (var element in body.Skip(1))
        {
            if (!FindFields.Contains(element.Name) && !CommandOptions.Generic.Contains(element.Name))
            {
                throw CommandException.UnknownField("find", element.Name);
            }
        }
        CommandOptions.RejectUnimplemented("find", body);
        foreach (var name in new[] { "min", "max", "$_resumeAfter", "runtimeConstants", "collectionUUID", "ntoreturn" })
        {
            if (body.Contains(name))
            {
                throw CommandException.NotImplemented($"find: '{name}' is not supported by this test server");
            }
        }
        foreach (var name in new[] { "returnKey", "showRecordId", "$_requestResumeToken" })
        {
            if (body.TryGetValue(name, out var flag) && flag.ToBoolean())
            {
                throw CommandException.NotImplemented($"find: '{name}' is not supported by this test server");
            }
        }
        if (body.TryGetValue("tailable", out var tailable) && tailable.ToBoolean())
        {
            throw CommandException.BadValue($"error processing query: ns={request.Database}.{request.Collection} tailable cursor requested on non capped collection");
        }
        if (body.TryGetValue("awaitData", out var awaitData) && awaitData.ToBoolean())
        {
            throw CommandException.FailedToParse("Cannot set 'awaitData' without also setting 'tailable'");
        }
        var query = new QuerySpec(
            DocumentField(body, "find", "filter"),
            SortSpec.Parse(DocumentField(body, "find", "sort")),
            NonNegative(body, "skip"),
            NonNegative(body, "limit"))
        {
            Hint = body.TryGetValue("hint", out var hint) ? hint : null,
            AllowDiskUse = body.TryGetValue("allowDiskUse", out var disk) && !disk.IsBsonNull ? disk.ToBoolean() : null,
        };
        var singleBatch = body.TryGetValue("singleBatch", out var sb) && sb.ToBoolean();
        return (query, Projection.Parse(DocumentField(body, "find", "projection")), singleBatch);
    }

    private static BsonDocument? DocumentField(BsonDocument body, string command, string name)
    {
        if (!body.TryGetValue(name, out var value) || value.IsBsonNull)
        {
            return null;
        }
        return value as BsonDocument
            ?? throw CommandException.TypeMismatch($"BSON field '{command}.{name}' is the wrong type '{TypeAlias(value)}', expected type 'object'");
    }

    /// <summary>A non-negative integer field (skip, limit, batchSize), as mongod's IDL validates it.</summary>
    private static long NonNegative(BsonDocument body, string name)
    {
        if (!body.TryGetValue(name, out var value) || value.IsBsonNull)
        {
            return 0;
        }
        if (!value.IsNumeric)
        {
            throw CommandException.TypeMismatch($"BSON field '{name}' is the wrong type '{TypeAlias(value)}', expected types '[long, int, decimal, double]'");
        }
        var n = value.ToInt64();
        if (n < 0)
        {
            throw new CommandException(51024, "Location51024", $"BSON field '{name}' value must be >= 0, actual value '{n}'");
        }
        return n;
    }

    private static int NonNegativeBatchSize(BsonDocument body, int fallback) =>
        body.Contains("batchSize") ? (int)Math.Min(NonNegative(body, "batchSize"), int.MaxValue) : fallback;

    private static string TypeAlias(BsonValue value) => value.BsonType switch
    {
        BsonType.Document => "object",
        BsonType.Array => "array",
        BsonType.String => "string",
        BsonType.Int32 => "int",
        BsonType.Int64 => "long",
        BsonType.Double => "double",
        BsonType.Decimal128 => "decimal",
        BsonType.Boolean => "bool",
        BsonType.Null => "null",
        _ => value.BsonType.ToString().ToLowerInvariant(),
    };

    private async ValueTask GetMoreAsync(CommandRequest request, MessageBuffer output, CancellationToken cancellationToken)
    {
        request.Validate(CommandOptions.Fields("collection", "batchSize", "maxTimeMS", "term", "lastKnownCommittedOpTime", "includeQueryStatsMetrics"));
        var id = request.Body[0].ToInt64();
        var cursor = _cursors.Find(id) ?? throw new CommandException(43, "CursorNotFound", $"cursor id {id} not found");
        if (_server.FailPoints.ForGetMore() is { } failure)
        {
            throw new CommandException(failure, ErrorLabels.CodeName(failure), "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint")
            {
                Labels = ErrorLabels.For(failure, request, cursor is ChangeStreamCursor),
            };
        }
        var collection = request.Body.GetValue("collection", BsonNull.Value);
        if (collection is not BsonString name || cursor.Namespace != request.Database + "." + name.Value)
        {
            throw new CommandException(13, "Unauthorized", $"Requested getMore on namespace '{request.Database}.{collection}', but cursor belongs to a different namespace {cursor.Namespace}");
        }
        if (cursor is ChangeStreamCursor stream && !stream.HasPending)
        {
            // An awaitData cursor with nothing new waits for the next oplog entry, up to maxAwaitTimeMS (default 1 s).
            var wait = request.Body.GetValue("maxTimeMS", BsonNull.Value) is { IsNumeric: true } ms ? ms.ToInt64() : 1000;
            await stream.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, wait)), cancellationToken);
        }
        var batchSize = NonNegativeBatchSize(request.Body, int.MaxValue);
        WriteCursorReply(output, cursor, batchSize == 0 ? int.MaxValue : batchSize, isFirstBatch: false, singleBatch: false);
    }

    private void KillCursors(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("cursors"));
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var id in request.Body.GetValue("cursors", new BsonArray()).AsBsonArray)
        {
            (_cursors.Remove(id.ToInt64()) ? killed : notFound).Add(id);
        }
        output.WriteDocument(new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
            { "ok", 1.0 },
        });
    }

    private void Count(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CountFields);
        if (request.Body.Contains("fields") || request.Body.Contains("encryptionInformation"))
        {
            throw CommandException.NotImplemented("count: 'fields' and 'encryptionInformation' are not supported by this test server");
        }
        var n = QueryExecutor.Count(_store.Find(request.Database, request.Collection), CountQuery(request.Body));
        output.WriteDocument(new BsonDocument { { "n", n <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n) }, { "ok", 1.0 } });
    }

    // count's limit may be negative (it means the same as positive); skip may not.
    private static QuerySpec CountQuery(BsonDocument body) =>
        new(DocumentField(body, "count", "query"), null, NonNegative(body, "skip"), Math.Abs(body.GetValue("limit", 0).ToInt64()))
        {
            Hint = body.TryGetValue("hint", out var hint) ? hint : null,
            CommandName = "count",
        };
}
