using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// The collection a command names. Inside a transaction a collection it creates (by create, createIndexes
/// or a first insert) stays the transaction's own until commit, as in mongod: others do not see it.
/// </summary>
internal sealed partial class CommandDispatcher
{
    private CollectionStore? FindCollection(CommandRequest request) =>
        request.Access.Transaction?.CreatedCollection(request.Database, request.Collection) ?? _store.Find(request.Database, request.Collection);

    private CollectionStore GetOrCreateCollection(CommandRequest request, out bool created, BsonDocument? options = null)
    {
        if (request.Access.Transaction is not { } transaction)
        {
            return _store.GetOrCreate(request.Database, request.Collection, out created, options);
        }
        if (FindCollection(request) is { } existing)
        {
            created = false;
            return existing;
        }
        created = true;
        return transaction.CreateCollection(new CollectionStore(request.Database, request.Collection, options));
    }
}
