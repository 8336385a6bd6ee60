using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>
/// One stored document: its BSON bytes as received (never mutated) and its parsed <c>_id</c>.
/// The documents of one insert share one array (a slab), so a million documents are not a
/// million more objects for the garbage collector to trace; a slab lives while any of its documents does.
/// </summary>
internal sealed class StoredDocument(BsonValue id, ReadOnlyMemory<byte> bytes)
{
    public BsonValue Id { get; } = id;

    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}
