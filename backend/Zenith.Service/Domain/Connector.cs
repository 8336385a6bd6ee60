using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Service.Domain;

/// <summary>What a person defines for a connector. URIs here hold real passwords: never hand this out as is.</summary>
/// <param name="SettleSeconds">The incremental modes' settle window (<see cref="ConnectorSpec.SettleSeconds"/>).</param>
public sealed record ConnectorDefinition(
    string Name,
    SourceSpec Source,
    DestinationSpec Destination,
    SyncMode Mode,
    string CursorField,
    int IntervalSeconds,
    int? BatchSize,
    MappingOptions Mapping,
    TableOptions Table,
    int SettleSeconds = ConnectorSpec.DefaultSettleSeconds)
{
    /// <summary>The text with this connector's passwords (and any URI password) masked: for whatever leaves the process.</summary>
    public string Redact(string text) => Redaction.Redact(text, Source.Uri, Destination.Uri);
}

/// <summary>A connector's name, schedule and state without its definition: what the scheduler and the gauges read (no secrets).</summary>
public sealed record ConnectorSummary(
    long Id,
    string Name,
    ConnectorStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastAttemptAt,
    int IntervalSeconds);

/// <param name="Warnings">What the user should fix, as the last index check and the last successful run found it.</param>
public sealed record StoredConnector(
    long Id,
    ConnectorDefinition Definition,
    ConnectorStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<SyncWarning> Warnings)
{
    public ConnectorSummary Summary => new(Id, Definition.Name, Status, ConsecutiveFailures, LastRun, LastAttemptAt, Definition.IntervalSeconds);

    public ConnectorSpec ToSpec(int defaultBatchSize) => new(
        Id,
        Definition.Name,
        Definition.Source,
        Definition.Destination,
        Definition.Mode,
        Definition.CursorField,
        Definition.BatchSize ?? defaultBatchSize,
        Definition.Mapping,
        Definition.Table,
        Definition.SettleSeconds);
}
