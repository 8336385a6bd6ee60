using System.Collections.Concurrent;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>All databases of one server, each a set of collections created on first write.</summary>
internal sealed class MongoStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CollectionStore>> _databases = new(StringComparer.Ordinal);

    public CollectionStore? Find(string database, string collection) =>
        _databases.TryGetValue(database, out var db) && db.TryGetValue(collection, out var c) ? c : null;

    public CollectionStore GetOrCreate(string database, string collection, out bool created)
    {
        var db = _databases.GetOrAdd(database, _ => new(StringComparer.Ordinal));
        var isNew = false;
        var result = db.GetOrAdd(collection, name =>
        {
            isNew = true;
            return new CollectionStore(database, name);
        });
        created = isNew;
        return result;
    }

    public CollectionStore GetOrCreate(string database, string collection) => GetOrCreate(database, collection, out _);

    /// <summary>Removes a collection; the removed one, or null when there was none.</summary>
    public CollectionStore? Drop(string database, string collection) =>
        _databases.TryGetValue(database, out var db) && db.TryRemove(collection, out var removed) ? removed : null;

    public bool DropDatabase(string database) => _databases.TryRemove(database, out _);

    public IReadOnlyList<string> DatabaseNames() =>
        [.. _databases.Where(d => !d.Value.IsEmpty).Select(d => d.Key).Order(StringComparer.Ordinal)];

    public IReadOnlyList<CollectionStore> Collections(string database) =>
        _databases.TryGetValue(database, out var db)
            ? [.. db.Values.OrderBy(c => c.Name, StringComparer.Ordinal)]
            : [];
}
