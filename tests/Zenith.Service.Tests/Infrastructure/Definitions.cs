using Zenith.Core.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>Connector definitions for tests that talk to the store, not to the servers.</summary>
public static class Definitions
{
    /// <summary>
    /// An incremental_id connector every 60 s on the given URIs, from <c>monitoring.{collection}</c> to <c>analytics.{name}</c>
    /// (two connectors never share a destination table).
    /// </summary>
    public static ConnectorDefinition Of(string name, string sourceUri, string destinationUri, string collection = "visited_sites") => new(
        name,
        new SourceSpec(sourceUri, "monitoring", collection),
        new DestinationSpec(destinationUri, "analytics", name),
        SyncMode.IncrementalId,
        ConnectorSpec.DefaultCursorField,
        60,
        null,
        MappingOptions.Default,
        TableOptions.Default);
}
