using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>findAndModify (FindOneAndUpdate/Replace/Delete) and distinct.</summary>
internal sealed partial class CommandDispatcher
{
    private void FindAndModify(CommandRequest request, MessageBuffer output)
    {
        var body = request.Body;
        var remove = body.TryGetValue("remove", out var r) && r.ToBoolean();
        var returnNew = body.TryGetValue("new", out var n) && n.ToBoolean();
        var upsert = body.TryGetValue("upsert", out var u) && u.ToBoolean();
        var update = remove ? null : Query.Update.Parse(body.TryGetValue("update", out var spec) ? spec : throw CommandException.FailedToParse("Either an update or remove=true must be specified"));
        var filter = request.OptionalDocument("query") ?? [];
        var projection = Projection.Parse(request.OptionalDocument("fields"));
        var collection = _store.GetOrCreate(request.Database, request.Collection);
        var lastError = new BsonDocument();
        BsonDocument? value;
        lock (collection.Sync)
        {
            var match = QueryExecutor.Collect(collection, new QuerySpec(filter, SortSpec.Parse(request.OptionalDocument("sort")), 0, 1)).FirstOrDefault();
            if (match is null)
            {
                lastError["n"] = 0;
                value = null;
                if (update is not null)
                {
                    lastError["updatedExisting"] = false;
                    if (upsert)
                    {
                        var created = BuildUpsert(collection, filter, update);
                        lastError["n"] = 1;
                        lastError["upserted"] = created["_id"];
                        value = returnNew ? created : null;
                    }
                }
            }
            else
            {
                var original = RawBson.ToDocument(match.Bytes);
                lastError["n"] = 1;
                if (update is null)
                {
                    collection.Index.Remove(match.Id);
                    value = original;
                }
                else
                {
                    var updated = update.Apply(original, isInsert: false);
                    collection.Index.Replace(new StoredDocument(match.Id, updated.ToBson()));
                    lastError["updatedExisting"] = true;
                    value = returnNew ? updated : original;
                }
            }
        }
        output.WriteDocument(new BsonDocument
        {
            { "lastErrorObject", lastError },
            { "value", value is null ? BsonNull.Value : projection?.Apply(value) ?? value },
            { "ok", 1.0 },
        });
    }

    private void Distinct(CommandRequest request, MessageBuffer output)
    {
        var key = new FieldPath(request.Body.GetValue("key", BsonNull.Value) is BsonString k ? k.Value : throw CommandException.TypeMismatch("'key' must be a string"));
        var collection = _store.Find(request.Database, request.Collection);
        var matches = collection is null ? [] : QueryExecutor.Collect(collection, new QuerySpec(request.OptionalDocument("query")));
        var values = new List<BsonValue>();
        var scratch = new List<BsonValue>();
        foreach (var document in matches)
        {
            scratch.Clear();
            key.Collect(new RawFieldSource(document.Bytes), scratch);
            // An array counts by its elements (which Collect lists after it), as in MongoDB.
            values.AddRange(scratch.Where(v => v is not BsonArray));
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
