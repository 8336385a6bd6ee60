using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Service.Metadata;

public enum ConnectorStatus
{
    Active,
    Paused,
    Error,
}

/// <summary><c>queued</c> while the run waits for one of <c>max_parallel_jobs</c> slots.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum RunTrigger
{
    Schedule,
    Manual,
    Startup,
}

public enum LogSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>What a person defines for a connector. URIs here hold real passwords: never hand this out as is.</summary>
public sealed record ConnectorDefinition(
    string Name,
    SourceSpec Source,
    DestinationSpec Destination,
    SyncMode Mode,
    string CursorField,
    int IntervalSeconds,
    int? BatchSize,
    MappingOptions Mapping,
    TableOptions Table)
{
    /// <summary>The text with this connector's passwords (and any URI password) masked: for whatever leaves the process.</summary>
    public string Redact(string text) => Redaction.Redact(text, Source.Uri, Destination.Uri);
}

public sealed record StoredConnector(
    long Id,
    ConnectorDefinition Definition,
    ConnectorStatus Status,
    int ConsecutiveFailures,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public ConnectorSpec ToSpec(int defaultBatchSize) => new(
        Id,
        Definition.Name,
        Definition.Source,
        Definition.Destination,
        Definition.Mode,
        Definition.CursorField,
        Definition.BatchSize ?? defaultBatchSize,
        Definition.Mapping,
        Definition.Table);
}

public sealed record RunRecord(
    long Id,
    long ConnectorId,
    RunTrigger Trigger,
    RunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long RowsRead,
    long RowsWritten,
    long RowsFailed,
    long Batches,
    long Bytes,
    long? DurationMs,
    string? Error);

public sealed record LogRecord(long Id, DateTimeOffset Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message);

public sealed record MappedColumn(string Name, string Type, string SourcePath);

/// <summary>
/// Raised when an edit sends a masked password (<c>***</c>) for a server, user or authentication options other than the stored
/// ones: the stored password is not sent elsewhere (<see cref="ConnectionString.ReuseStoredPassword"/>), so it must be typed again.
/// </summary>
/// <param name="end"><c>source</c> or <c>destination</c>.</param>
public sealed class PasswordRequiredException(string end)
    : Exception("The password is masked (***) but the server, user or authentication options changed: type the password again (a saved password is only reused for the same server and user).")
{
    public string End { get; } = end;
}

/// <summary>Raised when a connector name is already taken (names are unique, case-insensitively).</summary>
public sealed class DuplicateConnectorNameException(string name)
    : Exception($"A connector named \"{name}\" already exists.");
