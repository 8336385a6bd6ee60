using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>update and delete: statements applied in order, each failure a write error, as mongod reports them.</summary>
internal sealed partial class CommandDispatcher
{
    private static readonly IReadOnlySet<string> UpdateFields = CommandOptions.Fields("updates", "ordered", "bypassDocumentValidation", "let");
    private static readonly IReadOnlySet<string> UpdateStatementFields = CommandOptions.Fields("q", "u", "multi", "upsert", "arrayFilters", "collation", "hint", "upsertSupplied", "c", "sampleId");
    private static readonly IReadOnlySet<string> DeleteFields = CommandOptions.Fields("deletes", "ordered", "let");
    private static readonly IReadOnlySet<string> DeleteStatementFields = CommandOptions.Fields("q", "limit", "collation", "hint", "sampleId");

    private void Update(CommandRequest request, MessageBuffer output)
    {
        request.Validate(UpdateFields);
        var ordered = request.OptionalBool("ordered", fallback: true);
        var collection = GetOrCreateCollection(request, out _);
        long matched = 0, modified = 0;
        var upserted = new BsonArray();
        var writeErrors = new BsonArray();
        var statements = request.Statements("updates").ToList();
        // Statements are parsed before any runs: a field mongod does not know fails the whole command.
        statements.ForEach(s => CheckStatement("update.updates", s, UpdateStatementFields));
        var index = 0;
        foreach (var statement in statements)
        {
            try
            {
                var (n, m, upsertedId) = UpdateOne(collection, statement, request.Access, _server.Options.TimeProvider.GetUtcNow());
                matched += n;
                modified += m;
                if (upsertedId is not null)
                {
                    upserted.Add(new BsonDocument { { "index", index }, { "_id", upsertedId } });
                }
            }
            catch (CommandException e) when (!AbortsTheCommand(request, e))
            {
                writeErrors.Add(WriteError(index, e));
                if (ordered)
                {
                    break;
                }
            }
            index++;
        }
        output.WriteDocument(WriteReply(request, matched, modified, upserted, writeErrors));
    }

    private static void CheckStatement(string context, BsonDocument statement, IReadOnlySet<string> allowed)
    {
        foreach (var name in statement.Names.Where(n => !allowed.Contains(n)))
        {
            throw CommandException.UnknownField(context, name);
        }
        CommandOptions.RejectUnimplemented(context, statement);
    }

    private static (long Matched, long Modified, BsonValue? UpsertedId) UpdateOne(CollectionStore collection, BsonDocument statement, DocumentAccess access, DateTimeOffset now)
    {
        var filter = statement.GetValue("q", new BsonDocument()) as BsonDocument ?? throw CommandException.TypeMismatch("BSON field 'update.updates.q' is the wrong type, expected type 'object'");
        var update = Query.Update.Parse(statement.GetValue("u", BsonNull.Value), now);
        var multi = statement.TryGetValue("multi", out var m) && m.ToBoolean();
        var upsert = statement.TryGetValue("upsert", out var u) && u.ToBoolean();
        if (multi && update.IsReplacement)
        {
            throw CommandException.FailedToParse("multi update is not supported for replacement-style update");
        }
        var query = new QuerySpec(filter, null, 0, multi ? 0 : 1) { Hint = statement.GetValue("hint", null), CommandName = "update" };
        return DocumentAccess.WaitingForTransactions(() =>
        {
            lock (collection.Sync)
            {
                var matches = access.Collect(collection, query);
                access.CheckNotHeld(collection, matches.Select(v => v.Document.Id));
                if (matches.Count == 0)
                {
                    // An upsert counts in n (mongod's "selected" documents), not in nModified.
                    return upsert ? (1L, 0L, BuildUpsert(collection, filter, update, access)["_id"]) : (0L, 0L, (BsonValue?)null);
                }
                long modified = 0;
                foreach (var match in matches)
                {
                    if (ApplyUpdate(collection, match, update, access).Modified)
                    {
                        modified++;
                    }
                }
                return (matches.Count, modified, null);
            }
        });
    }

    /// <summary>Updates one document and returns it; Modified is false when the update left it as it was (then nothing is written, as in mongod).</summary>
    private static (bool Modified, BsonDocument Document) ApplyUpdate(CollectionStore collection, DocumentVersion match, Query.Update update, DocumentAccess access)
    {
        var document = update.Apply(RawBson.ToDocument(match.Document.Bytes), isInsert: false, out var description);
        var updated = document.ToBson();
        if (updated.Length > MaxDocumentBytes)
        {
            throw new CommandException(17419, "Location17419", $"Resulting document after update is larger than {MaxDocumentBytes}");
        }
        if (updated.AsSpan().SequenceEqual(match.Document.Bytes.Span))
        {
            return (false, document);
        }
        // A pipeline update whose diff outweighs the document is logged as a replacement, as mongod logs it.
        var change = description is null || (update.IsPipeline && UpdateDescription.DiffSize(description) > updated.Length)
            ? DocumentChange.Replacement
            : new DocumentChange(false, description);
        access.Replace(collection, match, new StoredDocument(match.Document.Id, updated), change);
        return (true, document);
    }

    /// <summary>Inserts the document an upsert creates: the filter's equalities, then the update; an ObjectId <c>_id</c> if none.</summary>
    private static BsonDocument BuildUpsert(CollectionStore collection, BsonDocument filter, Query.Update update, DocumentAccess access)
    {
        var seed = update.IsReplacement ? new BsonDocument() : UpsertSeed.From(filter);
        if (update.IsReplacement && UpsertSeed.IdEquality(filter) is { } filterId)
        {
            seed["_id"] = filterId;
        }
        var created = update.Apply(seed, isInsert: true);
        if (!created.TryGetValue("_id", out var id))
        {
            id = new BsonObjectId(ObjectId.GenerateNewId());
        }
        if (InvalidId(id) is { } invalid)
        {
            throw invalid;
        }
        created.Remove("_id");
        created.InsertAt(0, new BsonElement("_id", id));
        var bytes = created.ToBson();
        if (bytes.Length > MaxDocumentBytes)
        {
            throw new CommandException(17419, "Location17419", $"Resulting document after update is larger than {MaxDocumentBytes}");
        }
        access.Insert(collection, new StoredDocument(id, bytes));
        return created;
    }

    private void Delete(CommandRequest request, MessageBuffer output)
    {
        request.Validate(DeleteFields);
        var ordered = request.OptionalBool("ordered", fallback: true);
        var collection = FindCollection(request);
        long deleted = 0;
        var writeErrors = new BsonArray();
        var statements = request.Statements("deletes").ToList();
        statements.ForEach(s => CheckStatement("delete.deletes", s, DeleteStatementFields));
        var index = 0;
        foreach (var statement in statements)
        {
            try
            {
                var limit = statement.GetValue("limit", 0).ToInt64();
                if (limit is not (0 or 1))
                {
                    throw CommandException.FailedToParse($"The limit field in delete objects must be 0 or 1. Got {limit}");
                }
                var filter = statement.GetValue("q", new BsonDocument()) as BsonDocument ?? throw CommandException.TypeMismatch("BSON field 'delete.deletes.q' is the wrong type, expected type 'object'");
                var query = new QuerySpec(filter, null, 0, limit) { Hint = statement.GetValue("hint", null), CommandName = "delete" };
                if (collection is null)
                {
                    // A plan is still made, so a bad hint is an error here too.
                    QueryExecutor.Collect(new CollectionStore(request.Database, request.Collection), query);
                }
                else
                {
                    deleted += DocumentAccess.WaitingForTransactions(() =>
                    {
                        lock (collection.Sync)
                        {
                            var matches = request.Access.Collect(collection, query);
                            request.Access.CheckNotHeld(collection, matches.Select(v => v.Document.Id));
                            foreach (var match in matches)
                            {
                                request.Access.Delete(collection, match);
                            }
                            return matches.Count;
                        }
                    });
                }
            }
            catch (CommandException e) when (!AbortsTheCommand(request, e))
            {
                writeErrors.Add(WriteError(index, e));
                if (ordered)
                {
                    break;
                }
            }
            index++;
        }
        output.WriteDocument(WriteReply(request, deleted, null, null, writeErrors));
    }
}
