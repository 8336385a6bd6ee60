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
        var options = new BsonDocument();
        foreach (var option in request.Body.Elements.Where(e => CreateOptions.Contains(e.Name)))
        {
            if (option.Name != "changeStreamPreAndPostImages")
            {
                throw CommandException.NotImplemented($"create: the '{option.Name}' option is not supported by this test server");
            }
            options[option.Name] = PreAndPostImagesOption(option.Value);
        }
        GetOrCreateCollection(request, out var created, options);
        if (!created)
        {
            throw new CommandException(48, "NamespaceExists", $"Collection {request.Database}.{request.Collection} already exists.");
        }
        output.WriteDocument(Ok());
    }

    private static BsonDocument PreAndPostImagesOption(BsonValue value) =>
        value is BsonDocument d && d.ElementCount == 1 && d.TryGetValue("enabled", out var enabled) && enabled.IsBoolean
            ? new BsonDocument("enabled", enabled)
            : throw CommandException.FailedToParse("BSON field 'changeStreamPreAndPostImages' must be an object {enabled: <bool>}");

    private void CollMod(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields(
            "changeStreamPreAndPostImages", "validator", "validationLevel", "validationAction", "index", "viewOn", "pipeline",
            "expireAfterSeconds", "timeseries", "dryRun", "cappedSize", "cappedMax", "recordIdsReplicated"));
        foreach (var option in request.Body.Names.Skip(1).Where(n => n != "changeStreamPreAndPostImages" && !CommandOptions.Generic.Contains(n)))
        {
            throw CommandException.NotImplemented($"collMod: the '{option}' option is not supported by this test server");
        }
        var collection = _store.Find(request.Database, request.Collection)
            ?? throw new CommandException(26, "NamespaceNotFound", $"ns does not exist: {request.Database}.{request.Collection}");
        var changes = new BsonDocument();
        lock (collection.Sync)
        {
            if (request.Body.TryGetValue("changeStreamPreAndPostImages", out var images))
            {
                changes["changeStreamPreAndPostImages"] = collection.Options["changeStreamPreAndPostImages"] = PreAndPostImagesOption(images);
            }
            // mongod writes a collMod to the oplog even when it changes nothing.
            _server.Journal.Command(Replication.OplogOp.Modify, collection.Database, collection.Name, collection.Uuid, changes);
        }
        output.WriteDocument(Ok());
    }

    private void RenameCollection(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("to", "dropTarget", "stayTemp", "collectionUUID"));
        if (request.Database != "admin")
        {
            throw new CommandException(13, "Unauthorized", "renameCollection may only be run against the admin database.");
        }
        var (fromDb, fromName) = SplitNamespace(request.Body[0]);
        var (toDb, toName) = SplitNamespace(request.Body.GetValue("to", BsonNull.Value));
        if (fromDb == toDb && fromName == toName)
        {
            throw new CommandException(20, "IllegalOperation", "Can't rename a collection to itself");
        }
        var source = _store.Find(fromDb, fromName)
            ?? throw new CommandException(26, "NamespaceNotFound", $"Source collection {fromDb}.{fromName} does not exist");
        _store.Rename(source, toDb, toName, request.OptionalBool("dropTarget"));
        output.WriteDocument(Ok());
    }

    private static (string Database, string Collection) SplitNamespace(BsonValue value)
    {
        var ns = value as BsonString ?? throw CommandException.TypeMismatch("a namespace must be a string");
        var dot = ns.Value.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < ns.Value.Length - 1
            ? (ns.Value[..dot], ns.Value[(dot + 1)..])
            : throw new CommandException(73, "InvalidNamespace", $"Invalid namespace specified '{ns.Value}'");
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
