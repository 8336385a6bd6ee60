using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>findAndModify (FindOneAndUpdate/Replace/Delete) and distinct.</summary>
internal sealed partial class CommandDispatcher
{
    private static readonly IReadOnlySet<string> FindAndModifyFields = CommandOptions.Fields(
        "query", "sort", "remove", "update", "new", "fields", "upsert", "bypassDocumentValidation", "collation",
        "arrayFilters", "hint", "let", "encryptionInformation", "sampleId");

    private static readonly IReadOnlySet<string> DistinctFields = CommandOptions.Fields("key", "query", "collation", "sampleId");

    private void FindAndModify(CommandRequest request, MessageBuffer output)
    {
        request.Validate(FindAndModifyFields);
        var body = request.Body;
        var remove = request.OptionalBool("remove");
        var returnNew = request.OptionalBool("new");
        var upsert = request.OptionalBool("upsert");
        var hasUpdate = body.Contains("update");
        if (remove && hasUpdate)
        {
            throw CommandException.FailedToParse("Cannot specify both an update and remove=true");
        }
        if (remove && upsert)
        {
            throw CommandException.FailedToParse("Cannot specify both upsert=true and remove=true ");
        }
        if (remove && returnNew)
        {
            throw CommandException.FailedToParse("Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
        }
        if (!remove && !hasUpdate)
        {
            throw CommandException.FailedToParse("Either an update or remove=true must be specified");
        }
        var update = remove ? null : Query.Update.Parse(body["update"], _server.Options.TimeProvider.GetUtcNow());
        var filter = DocumentField(body, "findAndModify", "query") ?? [];
        var projection = Projection.Parse(DocumentField(body, "findAndModify", "fields"));
        var query = new QuerySpec(filter, SortSpec.Parse(DocumentField(body, "findAndModify", "sort")), 0, 1)
        {
            Hint = body.GetValue("hint", null),
            CommandName = "findAndModify",
        };
        var collection = GetOrCreateCollection(request, out _);
        var access = request.Access;
        var (lastError, value) = DocumentAccess.WaitingForTransactions(() => ModifyOne(collection, query, filter, update, upsert, returnNew, access));
        output.WriteDocument(new BsonDocument
        {
            { "lastErrorObject", lastError },
            { "value", value is null ? BsonNull.Value : projection?.Apply(value) ?? value },
            { "ok", 1.0 },
        });
    }

    private static (BsonDocument LastError, BsonDocument? Value) ModifyOne(
        CollectionStore collection, QuerySpec query, BsonDocument filter, Query.Update? update, bool upsert, bool returnNew, DocumentAccess access)
    {
        var lastError = new BsonDocument();
        BsonDocument? value;
        lock (collection.Sync)
        {
            var match = access.Collect(collection, query).FirstOrDefault();
            if (match is not null)
            {
                access.CheckNotHeld(collection, [match.Document.Id]);
            }
            if (match is null)
            {
                lastError["n"] = 0;
                value = null;
                if (update is not null)
                {
                    lastError["updatedExisting"] = false;
                    if (upsert)
                    {
                        var created = BuildUpsert(collection, filter, update, access);
                        lastError["n"] = 1;
                        lastError["upserted"] = created["_id"];
                        value = returnNew ? created : null;
                    }
                }
            }
            else
            {
                var original = RawBson.ToDocument(match.Document.Bytes);
                lastError["n"] = 1;
                if (update is null)
                {
                    access.Delete(collection, match);
                    value = original;
                }
                else
                {
                    var (_, updated) = ApplyUpdate(collection, match, update, access);
                    lastError["updatedExisting"] = true;
                    value = returnNew ? updated : original;
                }
            }
        }
        return (lastError, value);
    }

    private void Distinct(CommandRequest request, MessageBuffer output)
    {
        request.Validate(DistinctFields);
        var key = request.Body.GetValue("key", BsonNull.Value) is BsonString { Value.Length: > 0 } k
            ? new FieldPath(k.Value)
            : throw CommandException.TypeMismatch("BSON field 'distinct.key' is missing or is not a non-empty string");
        var collection = FindCollection(request);
        var values = new List<BsonValue>();
        if (collection is not null)
        {
            lock (collection.Sync)
            {
                var scratch = new List<BsonValue>();
                foreach (var version in request.Access.Collect(collection, new QuerySpec(DocumentField(request.Body, "distinct", "query")) { CommandName = "distinct" }))
                {
                    scratch.Clear();
                    key.Collect(new RawFieldSource(version.Document.Bytes), scratch, expandLeafArrays: false);
                    // An array counts by its elements (an array inside it stays a value), as in MongoDB.
                    foreach (var v in scratch)
                    {
                        if (v is BsonArray array)
                        {
                            values.AddRange(array);
                        }
                        else
                        {
                            values.Add(v);
                        }
                    }
                }
            }
        }
        var distinct = new List<BsonValue>();
        foreach (var v in values.Order(BsonOrder.Instance))
        {
            if (distinct.Count == 0 || !BsonOrder.AreEqual(distinct[^1], v))
            {
                distinct.Add(v);
            }
        }
        output.WriteDocument(new BsonDocument { { "values", new BsonArray(distinct) }, { "ok", 1.0 } });
    }
}
