using System.Collections.Concurrent;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Replication;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// All databases of one server, each a set of collections created on first write. Creating,
/// dropping and renaming collections and dropping databases are written to the oplog, as mongod does.
/// </summary>
internal sealed class MongoStore(WriteJournal journal)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CollectionStore>> _databases = new(StringComparer.Ordinal);

    // Namespace changes (create, drop, rename) happen one at a time, so their oplog order is their real order.
    private readonly Lock _ddl = new();

    public WriteJournal Journal => journal;

    public CollectionStore? Find(string database, string collection) =>
        _databases.TryGetValue(database, out var db) && db.TryGetValue(collection, out var c) ? c : null;

    public CollectionStore GetOrCreate(string database, string collection, out bool created, BsonDocument? options = null)
    {
        if (Find(database, collection) is { } existing)
        {
            created = false;
            return existing;
        }
        lock (_ddl)
        {
            var db = _databases.GetOrAdd(database, _ => new(StringComparer.Ordinal));
            if (db.TryGetValue(collection, out existing))
            {
                created = false;
                return existing;
            }
            var store = new CollectionStore(database, collection, options, journal);
            db[collection] = store;
            journal.Command(OplogOp.Create, database, collection, store.Uuid, new BsonDocument("options", store.Options.DeepClone()));
            created = true;
            return store;
        }
    }

    public CollectionStore GetOrCreate(string database, string collection) => GetOrCreate(database, collection, out _);

    /// <summary>Registers a collection a transaction created (with its indexes); false when the name is taken.</summary>
    public bool Adopt(CollectionStore collection)
    {
        lock (_ddl)
        {
            var db = _databases.GetOrAdd(collection.Database, _ => new(StringComparer.Ordinal));
            if (!db.TryAdd(collection.Name, collection))
            {
                return false;
            }
            collection.Journal = journal;
            journal.Command(OplogOp.Create, collection.Database, collection.Name, collection.Uuid, new BsonDocument("options", collection.Options.DeepClone()));
            foreach (var index in collection.Indexes.Where(i => !i.IsIdIndex))
            {
                journal.Command(OplogOp.CreateIndexes, collection.Database, collection.Name, collection.Uuid, index.Spec);
            }
            return true;
        }
    }

    /// <summary>Removes a collection; the removed one, or null when there was none.</summary>
    public CollectionStore? Drop(string database, string collection)
    {
        lock (_ddl)
        {
            if (!_databases.TryGetValue(database, out var db) || !db.TryRemove(collection, out var removed))
            {
                return null;
            }
            removed.Dropped = true;
            journal.Command(OplogOp.Drop, database, collection, removed.Uuid, null);
            return removed;
        }
    }

    /// <summary>Drops every collection of the database (each written as a drop), then the database.</summary>
    public void DropDatabase(string database)
    {
        lock (_ddl)
        {
            if (!_databases.TryRemove(database, out var db))
            {
                return;
            }
            foreach (var collection in db.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                collection.Dropped = true;
                journal.Command(OplogOp.Drop, database, collection.Name, collection.Uuid, null);
            }
            journal.Command(OplogOp.DropDatabase, database, null, null, null);
        }
    }

    /// <summary>Moves a collection to a new name (dropping an existing target first when asked).</summary>
    public void Rename(CollectionStore source, string toDatabase, string toCollection, bool dropTarget)
    {
        lock (_ddl)
        {
            var target = Find(toDatabase, toCollection);
            if (target is not null && !dropTarget)
            {
                throw new Commands.CommandException(48, "NamespaceExists", "target namespace exists");
            }
            if (target is not null)
            {
                target.Dropped = true;
                _databases[toDatabase].TryRemove(toCollection, out _);
            }
            var (fromDatabase, fromName, uuid) = (source.Database, source.Name, source.Uuid);
            _databases[source.Database].TryRemove(source.Name, out _);
            var moved = source.MovedTo(toDatabase, toCollection);
            _databases.GetOrAdd(toDatabase, _ => new(StringComparer.Ordinal))[toCollection] = moved;
            var details = new BsonDocument("to", toDatabase + "." + toCollection);
            if (target is not null)
            {
                details["droppedTarget"] = new BsonBinaryData(target.Uuid, GuidRepresentation.Standard);
            }
            journal.Command(OplogOp.Rename, fromDatabase, fromName, uuid, details);
        }
    }

    public IReadOnlyList<string> DatabaseNames() =>
        [.. _databases.Where(d => !d.Value.IsEmpty).Select(d => d.Key).Order(StringComparer.Ordinal)];

    public IReadOnlyList<CollectionStore> Collections(string database) =>
        _databases.TryGetValue(database, out var db)
            ? [.. db.Values.OrderBy(c => c.Name, StringComparer.Ordinal)]
            : [];
}
