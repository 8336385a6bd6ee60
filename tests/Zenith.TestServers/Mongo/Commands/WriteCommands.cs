using System.Buffers.Binary;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>insert, update, delete: per-statement write errors, ordered or not, as mongod reports them.</summary>
internal sealed partial class CommandDispatcher
{
    private const int MaxDocumentBytes = 16 * 1024 * 1024;
    private static readonly byte[] IdName = "_id"u8.ToArray();

    private void Insert(CommandRequest request, MessageBuffer output)
    {
        var ordered = !request.Body.TryGetValue("ordered", out var o) || o.ToBoolean();
        var collection = _store.GetOrCreate(request.Database, request.Collection);
        var documents = new List<StoredDocument?>();
        var writeErrors = new BsonArray();
        if (request.Sequences.TryGetValue("documents", out var sequence))
        {
            // One slab for the whole message: the documents are copied out of the reused receive buffer once.
            var slab = new byte[sequence.Sum(segment => segment.Count)];
            var offset = 0;
            foreach (var segment in sequence)
            {
                segment.AsSpan().CopyTo(slab.AsSpan(offset));
                documents.Add(Prepare(slab.AsMemory(offset, segment.Count), documents.Count, writeErrors));
                offset += segment.Count;
            }
        }
        else
        {
            foreach (var doc in request.Body.GetValue("documents", new BsonArray()).AsBsonArray)
            {
                documents.Add(Prepare(doc.AsBsonDocument.ToBson(), documents.Count, writeErrors));
            }
        }
        var inserted = 0;
        lock (collection.Sync)
        {
            for (var i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                if (document is null)
                {
                    if (ordered)
                    {
                        break;
                    }
                    continue;
                }
                if (collection.Index.TryAdd(document))
                {
                    inserted++;
                    continue;
                }
                writeErrors.Add(DuplicateKey(i, collection, document.Id));
                if (ordered)
                {
                    break;
                }
            }
        }
        output.WriteDocument(WriteReply(inserted, null, null, writeErrors));
    }

    /// <summary>Checks one document and reads its <c>_id</c>; adds an ObjectId <c>_id</c> when the client sent none.</summary>
    private static StoredDocument? Prepare(ReadOnlyMemory<byte> stored, int index, BsonArray writeErrors)
    {
        var bytes = stored.Span;
        if (!RawBson.IsWellFramed(bytes))
        {
            throw CommandException.BadValue($"document {index} is not valid BSON");
        }
        if (bytes.Length > MaxDocumentBytes)
        {
            writeErrors.Add(new BsonDocument { { "index", index }, { "code", 10334 }, { "errmsg", $"object to insert too large. size in bytes: {bytes.Length}, max size: {MaxDocumentBytes}" } });
            return null;
        }
        if (RawBson.TryFindField(bytes, IdName, out var type, out var offset, out var size))
        {
            var id = RawBson.ReadValue(type, bytes.Slice(offset, size));
            if (id is BsonArray or BsonRegularExpression)
            {
                writeErrors.Add(new BsonDocument { { "index", index }, { "code", 2 }, { "errmsg", $"can't use a {id.BsonType} for _id" } });
                return null;
            }
            return new StoredDocument(id, stored);
        }
        var generated = new BsonObjectId(ObjectId.GenerateNewId());
        var copy = new byte[bytes.Length + 1 + 4 + 12];
        BinaryPrimitives.WriteInt32LittleEndian(copy, copy.Length);
        copy[4] = RawBson.TypeObjectId;
        IdName.CopyTo(copy.AsSpan(5));
        generated.Value.ToByteArray().CopyTo(copy, 9);
        bytes[4..].CopyTo(copy.AsSpan(21));
        return new StoredDocument(generated, copy);
    }

    private static BsonDocument DuplicateKey(int index, CollectionStore collection, BsonValue id) => new()
    {
        { "index", index },
        { "code", 11000 },
        { "errmsg", $"E11000 duplicate key error collection: {collection.Namespace} index: _id_ dup key: {{ _id: {id} }}" },
        { "keyPattern", new BsonDocument("_id", 1) },
        { "keyValue", new BsonDocument("_id", id) },
    };

    private static BsonDocument WriteReply(long n, long? modified, BsonArray? upserted, BsonArray writeErrors)
    {
        var reply = new BsonDocument("n", n <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n));
        if (modified is not null)
        {
            reply["nModified"] = (int)modified.Value;
        }
        if (upserted is { Count: > 0 })
        {
            reply["upserted"] = upserted;
        }
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }
        reply["ok"] = 1.0;
        return reply;
    }

    private void Update(CommandRequest request, MessageBuffer output)
    {
        var ordered = !request.Body.TryGetValue("ordered", out var o) || o.ToBoolean();
        var collection = _store.GetOrCreate(request.Database, request.Collection);
        long matched = 0, modified = 0;
        var upserted = new BsonArray();
        var writeErrors = new BsonArray();
        var index = 0;
        foreach (var statement in request.Statements("updates"))
        {
            try
            {
                var (n, m, upsertedId) = UpdateOne(collection, statement);
                matched += n;
                modified += m;
                if (upsertedId is not null)
                {
                    upserted.Add(new BsonDocument { { "index", index }, { "_id", upsertedId } });
                }
            }
            catch (CommandException e)
            {
                writeErrors.Add(new BsonDocument { { "index", index }, { "code", e.Code }, { "errmsg", e.Message } });
                if (ordered)
                {
                    break;
                }
            }
            index++;
        }
        output.WriteDocument(WriteReply(matched, modified, upserted, writeErrors));
    }

    private static (long Matched, long Modified, BsonValue? UpsertedId) UpdateOne(CollectionStore collection, BsonDocument statement)
    {
        var filter = statement.GetValue("q", new BsonDocument()).AsBsonDocument;
        var update = Query.Update.Parse(statement["u"]);
        var multi = statement.TryGetValue("multi", out var m) && m.ToBoolean();
        var upsert = statement.TryGetValue("upsert", out var u) && u.ToBoolean();
        if (multi && update.IsReplacement)
        {
            throw CommandException.FailedToParse("multi update is not supported for replacement-style update");
        }
        var query = new QuerySpec(filter, SortSpec.Parse(statement.GetValue("sort", BsonNull.Value) as BsonDocument), 0, multi ? 0 : 1);
        lock (collection.Sync)
        {
            // The lock is re-entrant: Collect takes it again.
            var matches = QueryExecutor.Collect(collection, query);
            if (matches.Count == 0)
            {
                if (!upsert)
                {
                    return (0, 0, null);
                }
                return (1, 0, BuildUpsert(collection, filter, update)["_id"]);
            }
            long modified = 0;
            foreach (var match in matches)
            {
                var updated = update.Apply(RawBson.ToDocument(match.Bytes), isInsert: false).ToBson();
                if (updated.Length > MaxDocumentBytes)
                {
                    throw new CommandException(17419, "Location17419", "Resulting document after update is larger than 16777216");
                }
                if (!updated.AsSpan().SequenceEqual(match.Bytes.Span))
                {
                    collection.Index.Replace(new StoredDocument(match.Id, updated));
                    modified++;
                }
            }
            return (matches.Count, modified, null);
        }
    }

    /// <summary>Inserts the document an upsert creates: the filter's equalities, then the update; an ObjectId <c>_id</c> if none.</summary>
    private static BsonDocument BuildUpsert(CollectionStore collection, BsonDocument filter, Query.Update update)
    {
        var seed = update.IsReplacement ? new BsonDocument() : EqualityFields(filter);
        if (update.IsReplacement && filter.TryGetValue("_id", out var filterId) && filterId is not BsonDocument)
        {
            seed["_id"] = filterId;
        }
        var created = update.Apply(seed, isInsert: true);
        if (!created.TryGetValue("_id", out var id))
        {
            id = new BsonObjectId(ObjectId.GenerateNewId());
        }
        created.Remove("_id");
        created.InsertAt(0, new BsonElement("_id", id));
        if (!collection.Index.TryAdd(new StoredDocument(id, created.ToBson())))
        {
            throw new CommandException(11000, "DuplicateKey", $"E11000 duplicate key error collection: {collection.Namespace} index: _id_ dup key: {{ _id: {id} }}");
        }
        return created;
    }

    /// <summary>The fields an upsert copies from its filter: top-level equalities (also inside <c>$and</c>).</summary>
    private static BsonDocument EqualityFields(BsonDocument filter)
    {
        var set = new BsonDocument();
        void Visit(BsonDocument f)
        {
            foreach (var element in f)
            {
                if (element.Name == "$and" && element.Value is BsonArray parts)
                {
                    foreach (var part in parts.OfType<BsonDocument>())
                    {
                        Visit(part);
                    }
                }
                else if (!element.Name.StartsWith('$'))
                {
                    if (element.Value is BsonDocument ops && ops.ElementCount > 0 && ops.GetElement(0).Name.StartsWith('$'))
                    {
                        if (ops.TryGetValue("$eq", out var eq))
                        {
                            set[element.Name] = eq;
                        }
                    }
                    else if (element.Value is not BsonRegularExpression)
                    {
                        set[element.Name] = element.Value;
                    }
                }
            }
        }
        Visit(filter);
        return set.ElementCount == 0 ? set : Query.Update.Parse(new BsonDocument("$set", set)).Apply([], isInsert: true);
    }

    private void Delete(CommandRequest request, MessageBuffer output)
    {
        var ordered = !request.Body.TryGetValue("ordered", out var o) || o.ToBoolean();
        var collection = _store.Find(request.Database, request.Collection);
        long deleted = 0;
        var writeErrors = new BsonArray();
        var index = 0;
        foreach (var statement in request.Statements("deletes"))
        {
            try
            {
                var limit = statement.GetValue("limit", 0).ToInt64();
                var query = new QuerySpec(statement.GetValue("q", new BsonDocument()).AsBsonDocument, null, 0, limit == 1 ? 1 : 0);
                if (collection is not null)
                {
                    lock (collection.Sync)
                    {
                        if (query.Filter is null && limit != 1)
                        {
                            deleted += collection.Index.Count;
                            collection.Index.Clear();
                        }
                        else
                        {
                            foreach (var match in QueryExecutor.ScanLocked(collection, query, applyLimits: true))
                            {
                                collection.Index.Remove(match.Id);
                                deleted++;
                            }
                        }
                    }
                }
            }
            catch (CommandException e)
            {
                writeErrors.Add(new BsonDocument { { "index", index }, { "code", e.Code }, { "errmsg", e.Message } });
                if (ordered)
                {
                    break;
                }
            }
            index++;
        }
        output.WriteDocument(WriteReply(deleted, null, null, writeErrors));
    }
}
