namespace Zenith.Service.Domain;

// One run of a connector, as the sync history keeps it.
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
    string? Error,
    string? ErrorDetail = null);

/// <param name="Detail">The drivers' own text behind a failure's short message (passwords masked), or null.</param>
public sealed record LogRecord(long Id, DateTimeOffset Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message, string? Detail = null);

public sealed record MappedColumn(string Name, string Type, string SourcePath);

/// <summary>A line for the history, not yet stored (its time is when it happened).</summary>
public sealed record LogEntry(DateTimeOffset Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message, string? Detail = null);
