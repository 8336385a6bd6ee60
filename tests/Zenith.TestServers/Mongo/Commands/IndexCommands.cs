using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>createIndexes, listIndexes, dropIndexes: real indexes that finds, sorts and unique checks use.</summary>
internal sealed partial class CommandDispatcher
{
    private static readonly HashSet<string> IndexSpecFields = ["key", "name", "v", "unique", "background", "ns"];

    private static readonly HashSet<string> UnsupportedIndexOptions =
    [
        "sparse", "partialFilterExpression", "expireAfterSeconds", "hidden", "collation", "storageEngine", "weights",
        "default_language", "language_override", "textIndexVersion", "2dsphereIndexVersion", "bits", "min", "max",
        "bucketSize", "wildcardProjection", "prepareUnique", "clustered", "columnstoreProjection",
    ];

    private void CreateIndexes(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("indexes", "commitQuorum", "ignoreUnknownIndexOptions", "isTimeseriesNamespace"));
        if (request.Body.GetValue("indexes", BsonNull.Value) is not BsonArray { Count: > 0 } indexes)
        {
            throw CommandException.BadValue("Must specify at least one index to create");
        }
        var specs = indexes.Select(i => i as BsonDocument ?? throw CommandException.TypeMismatch("The elements of the 'indexes' array must be objects")).ToList();
        var collection = GetOrCreateCollection(request, out var created);
        if (request.Access.Transaction is { } transaction && transaction.CreatedCollection(request.Database, request.Collection) is null)
        {
            throw new CommandException(263, "OperationNotSupportedInTransaction",
                $"Cannot create new indexes on existing collection {collection.Namespace} in a multi-document transaction.");
        }
        int before, after;
        lock (collection.Sync)
        {
            before = collection.Indexes.Count;
            var built = new List<CollectionIndex>();
            try
            {
                foreach (var spec in specs)
                {
                    if (NewIndex(collection, spec) is { } index)
                    {
                        collection.AddIndex(index);
                        built.Add(index);
                    }
                }
            }
            catch (CommandException)
            {
                // The indexes of one createIndexes are built all or none.
                built.ForEach(i => collection.DropIndex(i));
                throw;
            }
            after = collection.Indexes.Count;
        }
        var reply = new BsonDocument
        {
            { "numIndexesBefore", before },
            { "numIndexesAfter", after },
            { "createdCollectionAutomatically", created },
        };
        if (before == after)
        {
            reply["note"] = "all indexes already exist";
        }
        reply["ok"] = 1.0;
        output.WriteDocument(reply);
    }

    /// <summary>The index a spec asks for; null when an identical one exists; an error when it conflicts with one.</summary>
    private static CollectionIndex? NewIndex(CollectionStore collection, BsonDocument spec)
    {
        foreach (var field in spec.Names)
        {
            if (UnsupportedIndexOptions.Contains(field))
            {
                throw CommandException.NotImplemented($"createIndexes: the index option '{field}' is not supported by this test server");
            }
            if (!IndexSpecFields.Contains(field))
            {
                throw new CommandException(197, "InvalidIndexSpecificationOption", $"The field '{field}' is not valid for an index specification. Specification: {ShellFormat.Document(spec)}");
            }
        }
        var key = spec.GetValue("key", BsonNull.Value) as BsonDocument ?? throw CommandException.FailedToParse($"The 'key' field is a required property of an index specification");
        var pattern = IndexKeyPattern.Parse(key);
        var name = spec.TryGetValue("name", out var n)
            ? n as BsonString is { Value.Length: > 0 } s ? s.Value : throw CommandException.TypeMismatch("The field 'name' must be a non-empty string")
            : pattern.DefaultName();
        var unique = spec.TryGetValue("unique", out var u) && u.ToBoolean();
        if (name == "*")
        {
            throw CommandException.BadValue("The index name '*' is not valid.");
        }
        if (pattern.IsIdOnly || name == CollectionIndex.IdIndexName)
        {
            if (!pattern.IsIdOnly || name != CollectionIndex.IdIndexName || key[0].ToDouble() < 0)
            {
                throw new CommandException(197, "InvalidIndexSpecificationOption", $"The index name '_id_' is reserved for the _id index, which must have key pattern {{_id: 1}}, found {ShellFormat.Document(key)}");
            }
            return null;
        }
        var sameName = collection.FindIndex(name);
        var sameKey = collection.Indexes.Find(i => BsonOrder.AreEqual(i.Pattern.Document, key));
        if (sameName is not null)
        {
            if (sameKey == sameName && sameName.Unique == unique)
            {
                return null;
            }
            throw new CommandException(86, "IndexKeySpecsConflict",
                $"An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: {ShellFormat.Document(Spec(name, key, unique))}, existing index: {ShellFormat.Document(sameName.Spec)}");
        }
        if (sameKey is not null)
        {
            throw new CommandException(85, "IndexOptionsConflict", $"Index already exists with a different name: {sameKey.Name}");
        }
        return new CollectionIndex(name, pattern, unique, Spec(name, key, unique));
    }

    private static BsonDocument Spec(string name, BsonDocument key, bool unique)
    {
        var spec = new BsonDocument { { "v", 2 }, { "key", key }, { "name", name } };
        if (unique)
        {
            spec["unique"] = true;
        }
        return spec;
    }

    private void ListIndexes(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("cursor", "includeBuildUUIDs", "includeIndexBuildInfo"));
        var collection = _store.Find(request.Database, request.Collection)
            ?? throw new CommandException(26, "NamespaceNotFound", $"ns does not exist: {request.Database}.{request.Collection}");
        List<BsonDocument> entries;
        lock (collection.Sync)
        {
            entries = [.. collection.Indexes.Select(i => i.Spec.DeepClone().AsBsonDocument)];
        }
        var batchSize = NonNegativeBatchSize(request.OptionalDocument("cursor") ?? [], int.MaxValue);
        WriteCursorReply(output, ListCursor.Of(collection.Namespace, entries, knowsItsEnd: true), batchSize == 0 ? int.MaxValue : batchSize, isFirstBatch: true, singleBatch: false);
    }

    private void DropIndexes(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("index", "collectionUUID", "isTimeseriesNamespace"));
        var collection = _store.Find(request.Database, request.Collection)
            ?? throw new CommandException(26, "NamespaceNotFound", $"ns not found {request.Database}.{request.Collection}");
        var reply = new BsonDocument();
        lock (collection.Sync)
        {
            reply["nIndexesWas"] = collection.Indexes.Count;
            var target = request.Body.GetValue("index", BsonNull.Value);
            foreach (var index in IndexesToDrop(collection, target))
            {
                collection.DropIndex(index);
            }
            if (target == "*")
            {
                reply["msg"] = "non-_id indexes dropped for collection";
            }
        }
        reply["ok"] = 1.0;
        output.WriteDocument(reply);
    }

    private static List<CollectionIndex> IndexesToDrop(CollectionStore collection, BsonValue target)
    {
        CollectionIndex Named(string name)
        {
            var index = collection.FindIndex(name) ?? throw new CommandException(27, "IndexNotFound", $"index not found with name [{name}]");
            return index.IsIdIndex ? throw CommandException.InvalidOptions("cannot drop _id index") : index;
        }
        switch (target)
        {
            case BsonString { Value: "*" }:
                return [.. collection.Indexes.Where(i => !i.IsIdIndex)];
            case BsonString name:
                return [Named(name.Value)];
            case BsonArray names:
                return [.. names.Select(v => Named(v.AsString))];
            case BsonDocument key:
                {
                    var index = collection.Indexes.Find(i => BsonOrder.AreEqual(i.Pattern.Document, key))
                        ?? throw new CommandException(27, "IndexNotFound", $"can't find index with key: {ShellFormat.Document(key)}");
                    return index.IsIdIndex ? throw CommandException.InvalidOptions("cannot drop _id index") : [index];
                }
            default:
                throw CommandException.TypeMismatch("dropIndexes: 'index' must be a string, an array of strings or an object");
        }
    }
}
