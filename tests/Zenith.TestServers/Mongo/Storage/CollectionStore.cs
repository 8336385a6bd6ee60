namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// One in-memory collection. Every read and write of <see cref="Index"/> happens under
/// <see cref="Sync"/>; stored documents are immutable, so a reader may keep references after unlocking.
/// </summary>
internal sealed class CollectionStore(string database, string name)
{
    public string Database { get; } = database;

    public string Name { get; } = name;

    public string Namespace => Database + "." + Name;

    public Lock Sync { get; } = new();

    public IdIndex Index { get; } = new();

    public List<IndexSpec> Indexes { get; } = [];

    /// <summary>Sorted views by sort specification, rebuilt when the index has changed since (see <see cref="Query.SortedView"/>).</summary>
    public Dictionary<string, Query.SortedView> SortedViews { get; } = new(StringComparer.Ordinal);
}
