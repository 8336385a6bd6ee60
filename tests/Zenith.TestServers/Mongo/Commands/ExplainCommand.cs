using System.Diagnostics;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// explain of find and count, in the classic engine's shape: <c>queryPlanner.winningPlan</c> shows
/// IDHACK, IXSCAN (with its index bounds) under FETCH, or COLLSCAN, under a SORT when the sort is
/// blocking; <c>executionStats</c> counts the keys and documents the plan really examined.
/// </summary>
internal sealed partial class CommandDispatcher
{
    private void Explain(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("verbosity"));
        var inner = request.Body[0] as BsonDocument ?? throw CommandException.TypeMismatch("explain command requires a nested object");
        var verbosity = request.Body.GetValue("verbosity", "allPlansExecution").AsString;
        if (verbosity is not ("queryPlanner" or "executionStats" or "allPlansExecution"))
        {
            throw CommandException.FailedToParse($"verbosity string must be one of {{'queryPlanner', 'executionStats', 'allPlansExecution'}}");
        }
        var command = inner.ElementCount > 0 ? inner.GetElement(0).Name : "";
        if (command is not ("find" or "count"))
        {
            throw CommandException.NotImplemented($"explain of '{command}' is not supported by this test server (find and count are)");
        }
        inner["$db"] = request.Database;
        var innerRequest = new CommandRequest(inner, request.Sequences);
        QuerySpec query;
        Projection? projection = null;
        if (command == "find")
        {
            (query, projection, _) = ParseFind(innerRequest, inner);
        }
        else
        {
            innerRequest.Validate(CountFields);
            query = CountQuery(inner);
        }
        var collection = _store.Find(request.Database, innerRequest.Collection) ?? new CollectionStore(request.Database, innerRequest.Collection);
        BsonDocument reply;
        lock (collection.Sync)
        {
            var plan = QueryExecutor.Plan(collection, query);
            var stages = PlanStages(plan, query, projection, command == "count");
            reply = new BsonDocument
            {
                { "explainVersion", "1" },
                {
                    "queryPlanner", new BsonDocument
                    {
                        { "namespace", collection.Namespace },
                        { "indexFilterSet", false },
                        { "parsedQuery", query.FilterDocument ?? [] },
                        { "maxIndexedOrSolutionsReached", false },
                        { "maxIndexedAndSolutionsReached", false },
                        { "maxScansToExplodeReached", false },
                        { "winningPlan", stages },
                        { "rejectedPlans", new BsonArray() },
                    }
                },
            };
            if (verbosity != "queryPlanner")
            {
                reply["executionStats"] = ExecutionStats(collection, plan, query, stages);
            }
        }
        inner.Remove("$db");
        reply["command"] = inner;
        reply["serverInfo"] = new BsonDocument { { "host", "127.0.0.1" }, { "port", _port }, { "version", Version }, { "gitVersion", "zenith-test-server" } };
        reply["ok"] = 1.0;
        output.WriteDocument(reply);
    }

    private static BsonDocument PlanStages(QueryPlan plan, QuerySpec query, Projection? projection, bool count)
    {
        BsonDocument stage;
        if (plan.Index is null)
        {
            stage = new BsonDocument { { "stage", "COLLSCAN" } };
            if (query.FilterDocument is { ElementCount: > 0 } f)
            {
                stage["filter"] = f;
            }
            stage["direction"] = plan.Backward ? "backward" : "forward";
        }
        else if (plan.IsIdHack)
        {
            stage = new BsonDocument("stage", "IDHACK");
        }
        else
        {
            var index = plan.Index;
            stage = new BsonDocument { { "stage", "FETCH" } };
            if (query.FilterDocument is { ElementCount: > 0 } f)
            {
                stage["filter"] = f;
            }
            stage["inputStage"] = new BsonDocument
            {
                { "stage", "IXSCAN" },
                { "keyPattern", index.Pattern.Document },
                { "indexName", index.Name },
                { "isMultiKey", index.IsMultikey },
                { "isUnique", index.Unique },
                { "isSparse", false },
                { "isPartial", false },
                { "indexVersion", 2 },
                { "direction", plan.Backward ? "backward" : "forward" },
                { "indexBounds", plan.Bounds!.ToExplain(index.Pattern) },
            };
        }
        if (plan.BlockingSort)
        {
            stage = new BsonDocument { { "stage", "SORT" }, { "sortPattern", query.Sort!.ToDocument() }, { "memLimit", BlockingSort.MemoryLimitBytes } }
                .AddRange(query.Limit > 0 ? new BsonDocument("limitAmount", query.Skip + query.Limit) : [])
                .Add("type", "simple").Add("inputStage", stage);
        }
        if (query.Skip > 0)
        {
            stage = new BsonDocument { { "stage", "SKIP" }, { "skipAmount", query.Skip }, { "inputStage", stage } };
        }
        if (query.Limit > 0 && !plan.BlockingSort)
        {
            stage = new BsonDocument { { "stage", "LIMIT" }, { "limitAmount", query.Limit }, { "inputStage", stage } };
        }
        if (projection is not null)
        {
            stage = new BsonDocument { { "stage", "PROJECTION_SIMPLE" }, { "inputStage", stage } };
        }
        return count ? new BsonDocument { { "stage", "COUNT" }, { "inputStage", stage } } : stage;
    }

    // Runs the plan to count what it examines, as mongod's executionStats does.
    private static BsonDocument ExecutionStats(CollectionStore collection, QueryPlan plan, QuerySpec query, BsonDocument stages)
    {
        var clock = Stopwatch.StartNew();
        var scan = new PlanScan(collection, plan);
        long matched = 0;
        var wanted = plan.BlockingSort || query.Limit == 0 ? long.MaxValue : query.Skip + query.Limit;
        scan.Run(record =>
        {
            if (query.Filter is null || query.Filter.Matches(new RawFieldSource(record.Document.Bytes)))
            {
                matched++;
            }
            return matched >= wanted ? ScanStep.Done : ScanStep.Continue;
        });
        var returned = Math.Max(0, matched - query.Skip);
        if (query.Limit > 0)
        {
            returned = Math.Min(returned, query.Limit);
        }
        return new BsonDocument
        {
            { "executionSuccess", true },
            { "nReturned", returned },
            { "executionTimeMillis", clock.ElapsedMilliseconds },
            { "totalKeysExamined", scan.KeysExamined },
            { "totalDocsExamined", scan.DocsExamined },
            { "executionStages", stages.DeepClone() },
        };
    }
}
