using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>One stored document: its BSON bytes as received (never mutated) and its parsed <c>_id</c>.</summary>
internal sealed class StoredDocument(BsonValue id, byte[] bytes)
{
    public BsonValue Id { get; } = id;

    public byte[] Bytes { get; } = bytes;
}
