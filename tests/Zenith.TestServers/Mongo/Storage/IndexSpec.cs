using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>A secondary index as declared by <c>createIndexes</c>: kept for <c>listIndexes</c>, not used for queries.</summary>
internal sealed record IndexSpec(string Name, BsonDocument Key, bool Unique);
