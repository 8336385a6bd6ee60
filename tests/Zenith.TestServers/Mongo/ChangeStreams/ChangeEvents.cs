using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.ChangeStreams;

/// <summary>One change event, its resume token, and whether it is the invalidate that ends the stream.</summary>
internal sealed record ChangeEvent(BsonDocument Document, ResumeToken Token, bool IsInvalidate);

/// <summary>
/// Turns oplog entries into the change events a stream of a given level sees, in the documented
/// shape: insert, update (with updateDescription), replace, delete, drop, rename, dropDatabase,
/// invalidate (for a collection stream when its collection is dropped or renamed, for a database
/// stream when its database is dropped), and with showExpandedEvents create, createIndexes,
/// dropIndexes and modify. fullDocument and fullDocumentBeforeChange follow the stream's options.
/// </summary>
internal sealed class ChangeEvents(ChangeStreamSpec spec, MongoStore store)
{
    private static readonly HashSet<string> InternalDatabases = ["admin", "config", "local"];

    public List<ChangeEvent> For(OplogEntry entry)
    {
        var events = new List<ChangeEvent>();
        if (!Concerns(entry))
        {
            return events;
        }
        switch (entry.Op)
        {
            case OplogOp.Insert or OplogOp.Update or OplogOp.Replace or OplogOp.Delete:
                events.Add(Document(entry));
                break;
            case OplogOp.Drop:
                events.Add(Command(entry, "drop", null, null));
                if (spec.Level == ChangeStreamLevel.Collection)
                {
                    events.Add(Invalidate(entry));
                }
                break;
            case OplogOp.Rename:
                {
                    var to = entry.Details!["to"].AsString;
                    var dot = to.IndexOf('.', StringComparison.Ordinal);
                    var target = new BsonDocument { { "db", to[..dot] }, { "coll", to[(dot + 1)..] } };
                    var description = spec.ShowExpandedEvents ? new BsonDocument { { "to", target.DeepClone() } } : null;
                    if (description is not null && entry.Details!.GetValue("droppedTarget", BsonNull.Value) is BsonBinaryData dropped)
                    {
                        description["dropTarget"] = dropped;
                    }
                    events.Add(Command(entry, "rename", doc => doc.InsertAt(doc.IndexOfName("ns") + 1, new BsonElement("to", target)), description));
                    if (spec.Level == ChangeStreamLevel.Collection)
                    {
                        events.Add(Invalidate(entry));
                    }
                    break;
                }
            case OplogOp.DropDatabase:
                if (spec.Level != ChangeStreamLevel.Collection)
                {
                    events.Add(Command(entry, "dropDatabase", null, null));
                    if (spec.Level == ChangeStreamLevel.Database)
                    {
                        events.Add(Invalidate(entry));
                    }
                }
                break;
            case OplogOp.Create when spec.ShowExpandedEvents:
                events.Add(Command(entry, "create", null, new BsonDocument("idIndex", new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } })));
                break;
            case OplogOp.CreateIndexes when spec.ShowExpandedEvents:
                events.Add(Command(entry, "createIndexes", null, new BsonDocument("indexes", new BsonArray { entry.Details!.DeepClone() })));
                break;
            case OplogOp.DropIndexes when spec.ShowExpandedEvents:
                events.Add(Command(entry, "dropIndexes", null, new BsonDocument("indexes", new BsonArray { entry.Details!.DeepClone() })));
                break;
            case OplogOp.Modify when spec.ShowExpandedEvents:
                events.Add(Command(entry, "modify", null, entry.Details!.DeepClone().AsBsonDocument));
                break;
        }
        return events;
    }

    // Whether the entry is about what the stream watches (system collections and internal databases never are).
    private bool Concerns(OplogEntry entry)
    {
        if (entry.Op == OplogOp.Noop || InternalDatabases.Contains(entry.Database) ||
            (entry.Collection is not null && entry.Collection.StartsWith("system.", StringComparison.Ordinal)))
        {
            return false;
        }
        return spec.Level switch
        {
            ChangeStreamLevel.Cluster => true,
            ChangeStreamLevel.Database => entry.Database == spec.Database,
            _ => entry.Database == spec.Database && (entry.Collection == spec.Collection
                || (entry.Op == OplogOp.Rename && entry.Details!["to"].AsString == spec.Namespace)),
        };
    }

    private static ResumeToken TokenOf(OplogEntry entry, bool fromInvalidate, BsonValue? eventId) =>
        new(entry.Ts.Value, false, entry.Sequence, entry.TxnOpIndex, fromInvalidate, entry.CollectionUuid, eventId);

    private ChangeEvent Document(OplogEntry entry)
    {
        var operationType = entry.Op switch
        {
            OplogOp.Insert => "insert",
            OplogOp.Update => "update",
            OplogOp.Replace => "replace",
            _ => "delete",
        };
        var documentKey = new BsonDocument("_id", entry.DocumentKey);
        var token = TokenOf(entry, false, new BsonDocument { { "operationType", operationType }, { "documentKey", documentKey.DeepClone() } });
        var e = Header(token, operationType, entry);
        switch (entry.Op)
        {
            case OplogOp.Insert or OplogOp.Replace:
                e["fullDocument"] = RawBson.ToDocument(entry.Document!.Bytes);
                break;
            case OplogOp.Update when spec.FullDocument != "default":
                e["fullDocument"] = PostImage(entry) ?? (BsonValue)BsonNull.Value;
                break;
        }
        e["ns"] = Ns(entry);
        e["documentKey"] = documentKey;
        if (entry.Op == OplogOp.Update)
        {
            e["updateDescription"] = Description(entry.UpdateDescription!);
        }
        if (spec.FullDocumentBeforeChange != "off" && entry.Op != OplogOp.Insert)
        {
            e["fullDocumentBeforeChange"] = PreImage(entry) ?? (BsonValue)BsonNull.Value;
        }
        Transaction(e, entry);
        return new ChangeEvent(e, token, false);
    }

    private BsonDocument? PostImage(OplogEntry entry)
    {
        if (spec.FullDocument == "updateLookup")
        {
            // The current document, looked up when the event is read (null once it is deleted).
            var collection = store.Find(entry.Database, entry.Collection!);
            if (collection is null)
            {
                return null;
            }
            lock (collection.Sync)
            {
                return collection.FindById(entry.DocumentKey!) is { } record ? RawBson.ToDocument(record.Document.Bytes) : null;
            }
        }
        if (entry.HasPostImage)
        {
            return RawBson.ToDocument(entry.Document!.Bytes);
        }
        return spec.FullDocument == "required"
            ? throw new CommandException(47, "NoMatchingDocument", $"Change stream was configured to require a post-image for all update, delete and replace events, but the post-image was not found for event: {ShellFormat.Value(entry.DocumentKey!)}")
            : null;
    }

    private BsonDocument? PreImage(OplogEntry entry)
    {
        if (entry.PreImage is { } pre)
        {
            return RawBson.ToDocument(pre.Bytes);
        }
        return spec.FullDocumentBeforeChange == "required"
            ? throw new CommandException(47, "NoMatchingDocument", $"Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: {ShellFormat.Value(entry.DocumentKey!)}")
            : null;
    }

    // disambiguatedPaths appears only with showExpandedEvents, as in MongoDB 7.0.
    private BsonDocument Description(BsonDocument description)
    {
        var copy = description.DeepClone().AsBsonDocument;
        if (!spec.ShowExpandedEvents)
        {
            copy.Remove("disambiguatedPaths");
        }
        return copy;
    }

    private ChangeEvent Command(OplogEntry entry, string operationType, Action<BsonDocument>? extra, BsonDocument? operationDescription)
    {
        var token = TokenOf(entry, false, new BsonDocument("operationType", operationType));
        var e = Header(token, operationType, entry);
        e["ns"] = Ns(entry);
        extra?.Invoke(e);
        if (operationDescription is not null)
        {
            e["operationDescription"] = operationDescription;
        }
        return new ChangeEvent(e, token, false);
    }

    private static ChangeEvent Invalidate(OplogEntry entry)
    {
        var token = TokenOf(entry, true, new BsonDocument("operationType", "invalidate"));
        return new ChangeEvent(new BsonDocument
        {
            { "_id", token.ToDocument() },
            { "operationType", "invalidate" },
            { "clusterTime", entry.Ts },
            { "wallTime", new BsonDateTime(entry.WallMilliseconds) },
        }, token, true);
    }

    private BsonDocument Header(ResumeToken token, string operationType, OplogEntry entry)
    {
        var e = new BsonDocument
        {
            { "_id", token.ToDocument() },
            { "operationType", operationType },
            { "clusterTime", entry.Ts },
            { "wallTime", new BsonDateTime(entry.WallMilliseconds) },
        };
        if (spec.ShowExpandedEvents && entry.CollectionUuid is { } uuid)
        {
            e["collectionUUID"] = new BsonBinaryData(uuid, GuidRepresentation.Standard);
        }
        return e;
    }

    private static BsonDocument Ns(OplogEntry entry) => entry.Collection is null
        ? new BsonDocument("db", entry.Database)
        : new BsonDocument { { "db", entry.Database }, { "coll", entry.Collection } };

    private static void Transaction(BsonDocument e, OplogEntry entry)
    {
        if (entry.Lsid is not null)
        {
            e["lsid"] = entry.Lsid.DeepClone();
            e["txnNumber"] = entry.TxnNumber!.Value;
        }
    }
}
