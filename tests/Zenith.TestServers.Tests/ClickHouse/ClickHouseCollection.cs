using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>One ClickHouse server shared by every test class in this assembly marked with this collection.</summary>
[CollectionDefinition(ClickHouseFixture.CollectionName)]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseFixture>;
