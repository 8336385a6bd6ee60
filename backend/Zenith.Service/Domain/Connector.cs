using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Service.Domain;

/// <summary>
/// What a person defines for a connector. Its URIs hold real secrets when it comes from a request or from
/// <see cref="UnsealedConnector"/>, masked ones (<c>***</c>) when it is a <see cref="StoredConnector"/>'s: never hand an unsealed one out.
/// </summary>
/// <param name="SettleSeconds">The incremental modes' settle window (<see cref="ConnectorSpec.SettleSeconds"/>).</param>
/// <param name="OnHistoryLost">change_stream: resync or stop in error when the position fell off the oplog (<see cref="ConnectorSpec.OnHistoryLost"/>).</param>
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
    int SettleSeconds = ConnectorSpec.DefaultSettleSeconds,
    int? VerifyIntervalSeconds = null,
    HistoryLostPolicy OnHistoryLost = HistoryLostPolicy.Resync)
{
    /// <summary>The text with this connector's passwords (and any URI password) masked: for whatever leaves the process.</summary>
    public string Redact(string text) => Redaction.Redact(text, Source.Uri, Destination.Uri);
}

/// <summary>A connector's name, schedule and state without its definition: what the scheduler and the gauges read (no secrets).</summary>
/// <param name="CredentialsUnreadable">Its stored secrets could not be decrypted (a database restored without its key ring): it is
/// not scheduled until a password is entered again.</param>
public sealed record ConnectorSummary(
    long Id,
    string Name,
    ConnectorStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastAttemptAt,
    int IntervalSeconds,
    bool CredentialsUnreadable = false,
    SyncMode Mode = SyncMode.IncrementalId)
{
    /// <summary>A change-stream connector runs continuously, not on its interval.</summary>
    public bool Continuous => Mode == SyncMode.ChangeStream;
}

/// <summary>A connector as stored. Its <see cref="Definition"/> carries masked secrets (<c>***</c>), as SQLite keeps them: safe to show.</summary>
/// <param name="Warnings">What the user should fix, as the last index check and the last successful run found it.</param>
/// <param name="CredentialsUnreadable">See <see cref="ConnectorSummary.CredentialsUnreadable"/>.</param>
public sealed record StoredConnector(
    long Id,
    ConnectorDefinition Definition,
    ConnectorStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<SyncWarning> Warnings,
    bool CredentialsUnreadable = false)
{
    public ConnectorSummary Summary => new(Id, Definition.Name, Status, ConsecutiveFailures, LastRun, LastAttemptAt, Definition.IntervalSeconds, CredentialsUnreadable, Definition.Mode);
}

/// <summary>
/// A stored connector with its secrets decrypted (<see cref="Definition"/>): what a run, a connection test, a preview and the
/// password reuse rule need, and what their messages are redacted with. Never leaves the process.
/// </summary>
public sealed record UnsealedConnector(StoredConnector Connector, ConnectorDefinition Definition)
{
    public long Id => Connector.Id;

    public string Name => Definition.Name;

    /// <summary>The text with this connector's secrets masked.</summary>
    public string Redact(string text) => Definition.Redact(text);

    public ConnectorSpec ToSpec(int defaultBatchSize) => new(
        Connector.Id,
        Definition.Name,
        Definition.Source,
        Definition.Destination,
        Definition.Mode,
        Definition.CursorField,
        Definition.BatchSize ?? defaultBatchSize,
        Definition.Mapping,
        Definition.Table,
        Definition.SettleSeconds,
        Definition.OnHistoryLost);
}
