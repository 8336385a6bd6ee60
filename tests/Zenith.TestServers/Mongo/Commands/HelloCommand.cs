using MongoDB.Bson;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>hello / isMaster as the primary of a one-node replica set, including the awaitable hello of the streaming protocol; replSetGetStatus.</summary>
internal sealed partial class CommandDispatcher
{
    private async ValueTask HelloAsync(CommandRequest request, MessageBuffer output, CancellationToken cancellationToken)
    {
        if (request.Body.GetValue("client", BsonNull.Value) is BsonDocument client && client.GetValue("application", BsonNull.Value) is BsonDocument application)
        {
            request.Connection!.AppName = application.GetValue("name", BsonNull.Value) as BsonString is { } name ? name.Value : null;
        }
        // A monitor that already knows this topologyVersion asks to wait up to maxAwaitTimeMS for a change; this
        // topology never changes, so it waits the whole time (answering at once would make drivers poll in a loop).
        if (request.Body.GetValue("topologyVersion", BsonNull.Value) is BsonDocument known &&
            known.GetValue("processId", BsonNull.Value) == _server.ReplicaSet.ProcessId &&
            request.Body.GetValue("maxAwaitTimeMS", BsonNull.Value) is { IsNumeric: true } wait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, wait.ToInt64())), cancellationToken);
        }
        var reply = new BsonDocument();
        if (request.Body.Contains("helloOk"))
        {
            reply["helloOk"] = true;
        }
        reply[request.Name == "hello" ? "isWritablePrimary" : "ismaster"] = true;
        reply.AddRange(_server.ReplicaSet.HelloFields(_server.Oplog.Newest?.WallMilliseconds ?? _server.Clock.WallClockMilliseconds));
        reply.AddRange(new BsonDocument
        {
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", new BsonDateTime(_server.Clock.WallClockMilliseconds) },
            { "logicalSessionTimeoutMinutes", SessionRegistry.LogicalSessionTimeoutMinutes },
            { "connectionId", request.ConnectionId },
            { "minWireVersion", 0 },
            { "maxWireVersion", 21 },
            { "readOnly", false },
            { "ok", 1.0 },
        });
        output.WriteDocument(reply);
    }

    private void ReplSetGetStatus(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("initialSync"));
        var optime = new BsonDocument { { "ts", _server.Clock.Latest }, { "t", 1L } };
        output.WriteDocument(new BsonDocument
        {
            { "set", _server.ReplicaSet.Name },
            { "date", new BsonDateTime(_server.Clock.WallClockMilliseconds) },
            { "myState", 1 },
            { "term", 1L },
            {
                "members", new BsonArray
                {
                    new BsonDocument
                    {
                        { "_id", 0 }, { "name", _server.ReplicaSet.Host }, { "health", 1.0 }, { "state", 1 },
                        { "stateStr", "PRIMARY" }, { "optime", optime }, { "self", true },
                    },
                }
            },
            { "ok", 1.0 },
        });
    }
}
