using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>One server for all Mongo tests; each test works in a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class MongoServerCollection : ICollectionFixture<MongoFixture>
{
    public const string Name = "mongo";
}
