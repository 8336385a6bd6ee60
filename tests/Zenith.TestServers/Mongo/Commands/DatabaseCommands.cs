using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>listDatabases, listCollections, create, drop, dropDatabase.</summary>
internal sealed partial class CommandDispatcher
{
    private static readonly IReadOnlySet<string> CreateOptions = CommandOptions.Fields(
        "capped", "autoIndexId", "idIndex", "size", "max", "storageEngine", "validator", "validationLevel", "validationAction",
        "indexOptionDefaults", "viewOn", "pipeline", "collation", "changeStreamPreAndPostImages", "timeseries", "clusteredIndex",
        "expireAfterSeconds", "encryptedFields", "recordIdsReplicated", "flags", "temp");

    private void ListDatabases(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("filter", "nameOnly", "authorizedDatabases"));
        var nameOnly = request.OptionalBool("nameOnly");
        var filter = Filter.Compile(request.OptionalDocument("filter"));
        var databases = new BsonArray();
        foreach (var name in _store.DatabaseNames())
        {
            var entry = nameOnly
                ? new BsonDocument("name", name)
                : new BsonDocument { { "name", name }, { "sizeOnDisk", 0.0 }, { "empty", false } };
            if (filter is null || filter.Matches(new DocumentFieldSource(entry)))
            {
                databases.Add(entry);
            }
        }
        var reply = new BsonDocument("databases", databases);
        if (!nameOnly)
        {
            reply["totalSize"] = 0.0;
            reply["totalSizeMb"] = 0L;
        }
        reply["ok"] = 1.0;
        output.WriteDocument(reply);
    }

    private void ListCollections(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("filter", "nameOnly", "authorizedCollections", "cursor", "includePendingDrops"));
        var nameOnly = request.OptionalBool("nameOnly");
        var filter = Filter.Compile(request.OptionalDocument("filter"));
        var entries = new List<BsonDocument>();
        foreach (var collection in _store.Collections(request.Database))
        {
            var entry = nameOnly
                ? new BsonDocument { { "name", collection.Name }, { "type", "collection" } }
                : new BsonDocument
                {
                    { "name", collection.Name },
                    { "type", "collection" },
                    { "options", collection.Options.DeepClone() },
                    { "info", new BsonDocument { { "readOnly", false }, { "uuid", new BsonBinaryData(collection.Uuid, GuidRepresentation.Standard) } } },
                    { "idIndex", new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } } },
                };
            if (filter is null || filter.Matches(new DocumentFieldSource(entry)))
            {
                entries.Add(entry);
            }
        }
        var cursor = ListCursor.Of(request.Database + ".$cmd.listCollections", entries, knowsItsEnd: true);
        WriteCursorReply(output, cursor, NonNegativeBatchSize(request.OptionalDocument("cursor") ?? [], int.MaxValue), isFirstBatch: true, singleBatch: false);
    }

    private void Create(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CreateOptions);
        foreach (var option in request.Body.Names.Where(CreateOptions.Contains))
        {
            throw CommandException.NotImplemented($"create: the '{option}' option is not supported by this test server");
        }
        _store.GetOrCreate(request.Database, request.Collection, out var created);
        if (!created)
        {
            throw new CommandException(48, "NamespaceExists", $"Collection {request.Database}.{request.Collection} already exists.");
        }
        output.WriteDocument(Ok());
    }

    private void Drop(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("collectionUUID"));
        var dropped = _store.Drop(request.Database, request.Collection);
        if (dropped is null)
        {
            // Since 7.0 dropping a missing collection succeeds.
            output.WriteDocument(Ok());
            return;
        }
        output.WriteDocument(new BsonDocument { { "nIndexesWas", dropped.Indexes.Count }, { "ns", dropped.Namespace }, { "ok", 1.0 } });
    }

    private void DropDatabase(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields());
        _store.DropDatabase(request.Database);
        output.WriteDocument(new BsonDocument { { "dropped", request.Database }, { "ok", 1.0 } });
    }
}
