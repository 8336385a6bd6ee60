using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>find, getMore, killCursors, count, aggregate.</summary>
internal sealed partial class CommandDispatcher
{
    // mongod's default first batch when the client sets no batchSize.
    private const int DefaultFirstBatch = 101;

    private void Find(CommandRequest request, MessageBuffer output)
    {
        var limit = request.OptionalInt64("limit");
        var singleBatch = request.Body.TryGetValue("singleBatch", out var sb) && sb.ToBoolean();
        if (limit < 0)
        {
            limit = -limit;
            singleBatch = true;
        }
        var skip = request.OptionalInt64("skip");
        if (skip < 0)
        {
            throw CommandException.BadValue("skip value must be non-negative");
        }
        var query = new QuerySpec(request.OptionalDocument("filter"), SortSpec.Parse(request.OptionalDocument("sort")), skip, limit);
        var projection = Projection.Parse(request.OptionalDocument("projection"));
        var collection = _store.Find(request.Database, request.Collection);
        var cursor = QueryExecutor.OpenCursor(request.Database + "." + request.Collection, collection, query, projection);
        var batchSize = BatchSize(request.Body, "batchSize", DefaultFirstBatch);
        WriteCursorReply(output, cursor, batchSize, isFirstBatch: true, singleBatch);
    }

    private void GetMore(CommandRequest request, MessageBuffer output)
    {
        var id = request.Body[0].ToInt64();
        var cursor = _cursors.Find(id) ?? throw new CommandException(43, "CursorNotFound", $"cursor id {id} not found");
        WriteCursorReply(output, cursor, BatchSize(request.Body, "batchSize", int.MaxValue), isFirstBatch: false, singleBatch: false);
    }

    private void KillCursors(CommandRequest request, MessageBuffer output)
    {
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
        var query = new QuerySpec(request.OptionalDocument("query"), null, request.OptionalInt64("skip"), Math.Abs(request.OptionalInt64("limit")));
        var n = QueryExecutor.Count(_store.Find(request.Database, request.Collection), query);
        output.WriteDocument(new BsonDocument { { "n", n <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n) }, { "ok", 1.0 } });
    }

    private void Aggregate(CommandRequest request, MessageBuffer output)
    {
        if (request.Body[0] is not BsonString)
        {
            throw CommandException.NotImplemented("database-level aggregation is not supported by this test server");
        }
        var pipeline = request.Body.GetValue("pipeline", BsonNull.Value) as BsonArray
            ?? throw CommandException.TypeMismatch("'pipeline' must be an array");
        if (request.Body.TryGetValue("explain", out var explain) && explain.ToBoolean())
        {
            throw CommandException.NotImplemented("explain is not supported by this test server");
        }
        var cursor = Aggregation.Run(request.Database + "." + request.Collection, _store.Find(request.Database, request.Collection), pipeline);
        WriteCursorReply(output, cursor, BatchSize(request.OptionalDocument("cursor"), "batchSize", DefaultFirstBatch), isFirstBatch: true, singleBatch: false);
    }
}
