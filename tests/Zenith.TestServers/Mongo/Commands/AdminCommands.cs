using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>Databases, collections and indexes.</summary>
internal sealed partial class CommandDispatcher
{
    private void ListDatabases(CommandRequest request, MessageBuffer output)
    {
        var nameOnly = request.Body.TryGetValue("nameOnly", out var n) && n.ToBoolean();
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
        var nameOnly = request.Body.TryGetValue("nameOnly", out var n) && n.ToBoolean();
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
                    { "options", new BsonDocument() },
                    { "info", new BsonDocument("readOnly", false) },
                    { "idIndex", new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } } },
                };
            if (filter is null || filter.Matches(new DocumentFieldSource(entry)))
            {
                entries.Add(entry);
            }
        }
        var cursor = ListCursor.Of(request.Database + ".$cmd.listCollections", entries);
        WriteCursorReply(output, cursor, BatchSize(request.OptionalDocument("cursor"), "batchSize", int.MaxValue), isFirstBatch: true, singleBatch: false);
    }

    private void Create(CommandRequest request, MessageBuffer output)
    {
        _store.GetOrCreate(request.Database, request.Collection, out var created);
        if (!created)
        {
            throw new CommandException(48, "NamespaceExists", $"Collection {request.Database}.{request.Collection} already exists.");
        }
        output.WriteDocument(Ok());
    }

    private void Drop(CommandRequest request, MessageBuffer output)
    {
        var existed = _store.Drop(request.Database, request.Collection);
        var reply = existed
            ? new BsonDocument { { "nIndexesWas", 1 }, { "ns", request.Database + "." + request.Collection } }
            : [];
        reply["ok"] = 1.0;
        output.WriteDocument(reply);
    }

    private void DropDatabase(CommandRequest request, MessageBuffer output)
    {
        _store.DropDatabase(request.Database);
        output.WriteDocument(new BsonDocument { { "dropped", request.Database }, { "ok", 1.0 } });
    }

    private void CreateIndexes(CommandRequest request, MessageBuffer output)
    {
        var collection = _store.GetOrCreate(request.Database, request.Collection, out var created);
        if (request.Body.GetValue("indexes", BsonNull.Value) is not BsonArray indexes)
        {
            throw CommandException.TypeMismatch("createIndexes needs an 'indexes' array");
        }
        int before, after;
        lock (collection.Sync)
        {
            before = collection.Indexes.Count + 1;
            foreach (var spec in indexes.Select(i => i.AsBsonDocument))
            {
                var key = spec["key"].AsBsonDocument;
                var unique = spec.TryGetValue("unique", out var u) && u.ToBoolean();
                if (unique && !(key.ElementCount == 1 && key.GetElement(0).Name == "_id"))
                {
                    // Secondary indexes are recorded but never consulted, so a unique one would be silently unenforced.
                    throw CommandException.NotImplemented("unique secondary indexes are not supported by this test server");
                }
                var name = spec.TryGetValue("name", out var nm) ? nm.AsString : string.Join('_', key.Select(e => $"{e.Name}_{e.Value}"));
                if (name != "_id_" && !collection.Indexes.Exists(i => i.Name == name))
                {
                    collection.Indexes.Add(new IndexSpec(name, key, unique));
                }
            }
            after = collection.Indexes.Count + 1;
        }
        output.WriteDocument(new BsonDocument
        {
            { "numIndexesBefore", before },
            { "numIndexesAfter", after },
            { "createdCollectionAutomatically", created },
            { "ok", 1.0 },
        });
    }

    private void ListIndexes(CommandRequest request, MessageBuffer output)
    {
        var collection = _store.Find(request.Database, request.Collection)
            ?? throw new CommandException(26, "NamespaceNotFound", $"ns does not exist: {request.Database}.{request.Collection}");
        var entries = new List<BsonDocument> { new() { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } } };
        lock (collection.Sync)
        {
            entries.AddRange(collection.Indexes.Select(i => new BsonDocument { { "v", 2 }, { "key", i.Key }, { "name", i.Name } }));
        }
        WriteCursorReply(output, ListCursor.Of(collection.Namespace, entries), int.MaxValue, isFirstBatch: true, singleBatch: false);
    }
}
