using MongoDB.Bson;
using Zenith.TestServers.Mongo.ChangeStreams;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>aggregate on a collection.</summary>
internal sealed partial class CommandDispatcher
{
    private static readonly IReadOnlySet<string> AggregateFields = CommandOptions.Fields(
        "pipeline", "explain", "allowDiskUse", "cursor", "bypassDocumentValidation", "hint", "collation", "let", "exchange",
        "isMapReduceCommand", "collectionUUID", "needsMerge", "fromMongos", "fromRouter", "$_requestReshardingResumeToken",
        "$_generateV2ResumeTokens", "passthroughToShard", "encryptionInformation");

    private void Aggregate(CommandRequest request, MessageBuffer output)
    {
        request.Validate(AggregateFields);
        var pipeline = request.Body.GetValue("pipeline", BsonNull.Value) as BsonArray
            ?? throw CommandException.TypeMismatch("'pipeline' option must be specified as an array");
        if (request.OptionalBool("explain"))
        {
            throw CommandException.NotImplemented("explain of an aggregation is not supported by this test server (explain of find and count is)");
        }
        if (!request.Body.Contains("cursor"))
        {
            throw CommandException.FailedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
        }
        foreach (var name in new[] { "exchange", "collectionUUID", "$_requestReshardingResumeToken", "encryptionInformation" })
        {
            if (request.Body.Contains(name))
            {
                throw CommandException.NotImplemented($"aggregate: '{name}' is not supported by this test server");
            }
        }
        var cursorOptions = DocumentField(request.Body, "aggregate", "cursor") ?? [];
        var batchSize = NonNegativeBatchSize(cursorOptions, DefaultFirstBatch);
        var stages = Aggregation.Parse(pipeline);
        if (stages.Count > 0 && stages[0].Name == "$changeStream")
        {
            if (request.Access.Transaction is not null)
            {
                throw new CommandException(263, "OperationNotSupportedInTransaction", "Cannot run aggregate with $changeStream in a multi-document transaction.");
            }
            var collectionName = request.Body[0] is BsonString ? request.Collection : null;
            var stream = new ChangeStreamCursor(ChangeStreamSpec.Parse(request.Database, collectionName, stages), _server);
            WriteCursorReply(output, stream, batchSize, isFirstBatch: true, singleBatch: false);
            return;
        }
        if (stages.Skip(1).Any(s => s.Name == "$changeStream"))
        {
            throw new CommandException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline.");
        }
        if (request.Body[0] is not BsonString)
        {
            Aggregation.Parse(pipeline);
            throw CommandException.NotImplemented("database-level aggregation is not supported by this test server");
        }
        var allowDiskUse = request.Body.TryGetValue("allowDiskUse", out var disk) && !disk.IsBsonNull ? disk.ToBoolean() : (bool?)null;
        var cursor = Aggregation.Run(request.Database + "." + request.Collection, FindCollection(request), pipeline, allowDiskUse, request.Body.GetValue("hint", null), request.Access);
        WriteCursorReply(output, cursor, batchSize, isFirstBatch: true, singleBatch: false);
    }
}
