namespace Zenith.Service.Domain;

/// <summary>One run of a connector, as the sync history keeps it.</summary>
/// <param name="EstimatedRows">The collection's estimated size when the run reads all of it (a first load, a full sync), else null.</param>
/// <param name="ProgressAt">When the numbers were last stored while the run went (null before its first insert).</param>
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
    string? ErrorDetail = null,
    long? EstimatedRows = null,
    DateTimeOffset? ProgressAt = null)
{
    /// <summary>
    /// Rows written per second: over the whole run once it finished, over the time to its last stored insert while it goes (a
    /// figure that does not sink between two inserts); null before there is one.
    /// </summary>
    public double? RowsPerSecond
    {
        get
        {
            double? elapsedMs = DurationMs is { } ms ? ms : ProgressAt is { } at ? (at - StartedAt).TotalMilliseconds : null;
            return elapsedMs is > 0 ? RowsWritten / (elapsedMs.Value / 1000) : null;
        }
    }

    /// <summary>How far a run that reads the whole collection got, 0–1, from the documents read against the estimate; null without one.</summary>
    public double? Progress => EstimatedRows switch
    {
        null => null,
        <= 0 => Status == RunStatus.Succeeded ? 1 : 0,
        { } estimate => Math.Min(1, (double)RowsRead / estimate),
    };
}

/// <param name="Detail">The drivers' own text behind a failure's short message (passwords masked), or null.</param>
public sealed record LogRecord(long Id, DateTimeOffset Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message, string? Detail = null);

public sealed record MappedColumn(string Name, string Type, string SourcePath);

/// <summary>A line for the history, not yet stored (its time is when it happened).</summary>
public sealed record LogEntry(DateTimeOffset Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message, string? Detail = null);
