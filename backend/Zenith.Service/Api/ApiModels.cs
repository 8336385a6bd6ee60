using System.ComponentModel;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Service.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Api;

/// <param name="Uri">A <c>mongodb://</c> or <c>mongodb+srv://</c> connection string. Its password comes back as <c>***</c>.</param>
/// <param name="Filter">MongoDB extended JSON filter, e.g. <c>{ "organization_id": { "$gt": 0 } }</c>.</param>
/// <param name="Projection">MongoDB extended JSON projection.</param>
public sealed record SourceDto(string Uri, string Database, string Collection, string? Filter = null, string? Projection = null)
{
    /// <summary>A request's URI holds the password as typed: never print it.</summary>
    public override string ToString() => new SourceSpec(Uri ?? "", Database, Collection, Filter, Projection).ToString();
}

/// <param name="Uri">The ClickHouse HTTP interface, <c>http(s)://[user[:password]@]host:port</c>. Its password comes back as <c>***</c>.</param>
public sealed record DestinationDto(string Uri, string Database, string Table)
{
    public override string ToString() => new DestinationSpec(Uri ?? "", Database, Table).ToString();
}

/// <summary>
/// How documents become columns. <c>legacyUuid</c> is the byte order of binary subtype 3 UUIDs, to store them as UUID:
/// <c>none</c> (default, base64 text), <c>c_sharp</c>, <c>java</c>, <c>python</c>.
/// </summary>
/// <param name="Separator">Joins nested field names (default <c>_</c>; a '.' becomes '_').</param>
/// <param name="MaxDepth">Nesting levels flattened into columns (default 3); deeper parts are one JSON column.</param>
/// <param name="MaxColumns">Most columns of the table, metadata included (default 500, 10–10000); fields beyond go to <c>_zenith_extra</c>.</param>
/// <param name="WholeDocument">Also keep each whole document in one JSON column, <c>_zenith_doc</c> (default false).</param>
/// <param name="Rules">Field rules, in order: exclude, include (only these paths), json, map, flatten, type (<c>value</c>: the type), rename (<c>value</c>: the column).</param>
public sealed partial record MappingDto(
    string? Separator = null,
    int? MaxDepth = null,
    int? MaxColumns = null,
    bool? WholeDocument = null,
    LegacyUuid LegacyUuid = LegacyUuid.None,
    IReadOnlyList<FieldRuleDto>? Rules = null);

public sealed partial record MappingDto
{
    public static MappingDto From(MappingOptions m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(m.Separator, m.MaxDepth, m.MaxColumns, m.WholeDocument, m.LegacyUuid, [.. m.Rules.Select(r => new FieldRuleDto(r.Path, r.Action, r.Value))]);
    }
}

/// <param name="Path">A dotted document path, e.g. <c>address.geo</c>.</param>
/// <param name="Value">For <c>type</c>: String, Int32, Int64, Float64, Bool, DateTime64, UUID or JSON; for <c>rename</c>: the column name.</param>
public sealed record FieldRuleDto(string Path, FieldAction Action, string? Value = null);

/// <param name="OrderBy">
/// The prefix of the ClickHouse sorting key, which always ends with the document's identity (<c>_zenith_id_type</c>, <c>_id</c>),
/// so distinct documents never merge; default none. Use fields that never change and keep one type: a changed value leaves the
/// old row in place under FINAL, and key columns are never widened.
/// </param>
/// <param name="PartitionBy">ClickHouse PARTITION BY expression (default none).</param>
/// <param name="Ttl">ClickHouse TTL expression (default none).</param>
public sealed record TableDto(string? OrderBy = null, string? PartitionBy = null, string? Ttl = null);

/// <summary>A connector as sent by the client (create, update).</summary>
/// <param name="CursorField">For <c>incremental_timestamp</c>: the timestamp field, dotted paths allowed (default <c>updated_at</c>; not <c>_id</c>: use <c>incremental_id</c>).</param>
/// <param name="IntervalSeconds">Seconds between runs, at least 1 (default 60).</param>
/// <param name="BatchSize">Documents per ClickHouse insert (1–100000); omitted means <c>processing.batch_size</c>.</param>
/// <param name="OnHistoryLost">
/// For <c>change_stream</c>: what to do when the stored position is no longer in MongoDB's oplog (error 286): <c>resync</c> (default:
/// a new position, the collection reloaded into a staging table and swapped in atomically, then the stream) or <c>error</c> (stop).
/// </param>
/// <param name="SettleSeconds">
/// The incremental modes' settle window, 0–3600 (default 5): how long a key may take to become visible after a later one (many
/// writers, clocks that differ). The checkpoint only moves through keys that old; newer ones are copied and read again next run.
/// </param>
/// <param name="VerifyIntervalSeconds">Verify the table against the collection this often (e.g. 86400, nightly; at least 60); omitted means only on request.</param>
/// <param name="Paused">On create only: store the connector paused, so nothing runs until it is resumed (review it first). Default false: it runs at once.</param>
public sealed record ConnectorRequest(
    string Name,
    SourceDto Source,
    DestinationDto Destination,
    SyncMode? Mode,
    string? CursorField = null,
    int? IntervalSeconds = null,
    int? BatchSize = null,
    MappingDto? Mapping = null,
    TableDto? Table = null,
    int? SettleSeconds = null,
    int? VerifyIntervalSeconds = null,
    bool? Paused = null,
    HistoryLostPolicy? OnHistoryLost = null);

/// <summary>
/// A JSON merge patch of a connector (RFC 7396, <c>application/merge-patch+json</c>): the fields sent replace the stored ones,
/// nested objects merge field by field, <c>null</c> removes an optional field (its default applies). Passwords stay as stored
/// unless a URI with a new one is sent.
/// </summary>
public sealed record ConnectorPatch(
    string? Name = null,
    SourcePatch? Source = null,
    DestinationPatch? Destination = null,
    SyncMode? Mode = null,
    string? CursorField = null,
    int? IntervalSeconds = null,
    int? BatchSize = null,
    MappingDto? Mapping = null,
    TableDto? Table = null,
    int? SettleSeconds = null,
    int? VerifyIntervalSeconds = null,
    HistoryLostPolicy? OnHistoryLost = null);

/// <summary>The source fields of a <see cref="ConnectorPatch"/>.</summary>
public sealed record SourcePatch(string? Uri = null, string? Database = null, string? Collection = null, string? Filter = null, string? Projection = null);

/// <summary>The destination fields of a <see cref="ConnectorPatch"/>.</summary>
public sealed record DestinationPatch(string? Uri = null, string? Database = null, string? Table = null);

/// <summary>Both ends of a connector, to test before saving.</summary>
/// <param name="ConnectorId">When testing an edit of a saved connector: a password sent masked (<c>***</c>) or left out is taken from it.</param>
/// <param name="Mode">The mode the connector will have (with <paramref name="CursorField"/>): the answer then says which index it needs.</param>
public sealed record ConnectionTestRequest(SourceDto Source, DestinationDto Destination, long? ConnectorId = null, SyncMode? Mode = null, string? CursorField = null);

/// <param name="Message">One short line: what was found, or what is wrong.</param>
/// <param name="Detail">On a failure, the drivers' own text behind the message (passwords masked), or null.</param>
public sealed record EndpointCheckDto(bool Ok, string Message, string? Detail = null);

/// <summary>Something the user should fix about a connector (a missing index, far-future cursor values…), and how.</summary>
public sealed record WarningDto(SyncWarningKind Kind, string Message)
{
    public static IReadOnlyList<WarningDto> From(IEnumerable<SyncWarning> warnings) => [.. warnings.Select(w => new WarningDto(w.Kind, w.Message))];
}

/// <param name="Warnings">What the mode asked about needs (the index it reads by), when one was sent.</param>
public sealed record ConnectionTestResponse(EndpointCheckDto Source, EndpointCheckDto Destination, IReadOnlyList<WarningDto> Warnings)
{
    public static ConnectionTestResponse From(ConnectionTestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(
            new(result.Source.Ok, result.Source.Message, result.Source.Detail),
            new(result.Destination.Ok, result.Destination.Message, result.Destination.Detail),
            WarningDto.From(result.Warnings));
    }
}

/// <param name="Kind">scalar, array, map, nested, json, overflow, document or metadata.</param>
/// <param name="Reason">Why the column is made this way (a map's keys, a type choice, a rule), or null.</param>
public sealed record PreviewColumnDto(string Name, string Type, string SourcePath, string Kind, string? Reason);

/// <param name="Sampled">Documents sampled at random (<c>$sample</c>).</param>
/// <param name="Warnings">What the user should know: columns beyond the budget, mixed types, out-of-range values, a map's new keys.</param>
public sealed record PreviewResponse(IReadOnlyList<PreviewColumnDto> Columns, int Sampled, IReadOnlyList<string> Warnings)
{
    public static PreviewResponse From(MappingPreview preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        return new([.. preview.Columns.Select(c => new PreviewColumnDto(c.Name, c.Type, c.SourcePath, c.Kind, c.Reason))], preview.Sampled, preview.Warnings);
    }
}

/// <summary>A connector not saved yet (or an edit of one), to preview its mapping.</summary>
/// <param name="ConnectorId">When previewing an edit of a saved connector: a password sent masked (<c>***</c>) or left out is taken from it.</param>
public sealed record PreviewRequest(ConnectorRequest Connector, long? ConnectorId = null);

/// <summary>A run of a connector (the sync history).</summary>
/// <param name="Status"><c>queued</c> while waiting for a free slot (processing.max_parallel_jobs).</param>
/// <param name="Error">Why the run failed, as one short line.</param>
/// <param name="ErrorDetail">The drivers' own text behind <c>error</c> (passwords masked), for a person who opens the details.</param>
/// <param name="RowsRead">Documents read so far (while running, a little ahead of <c>rowsWritten</c>: what is in flight).</param>
/// <param name="EstimatedRows">For a run that reads the whole collection (a first load, a full sync): its estimated size, else null.</param>
/// <param name="Progress">0–1, <c>rowsRead</c> against <c>estimatedRows</c>; null without an estimate.</param>
/// <param name="RowsPerSecond">Rows written per second: of the whole run, or while it runs up to its latest insert; null before one.</param>
public sealed record RunResponse(
    long Id,
    long ConnectorId,
    RunTrigger Trigger,
    RunStatus Status,
    DateTime StartedAt,
    DateTime? FinishedAt,
    long RowsRead,
    long RowsWritten,
    long RowsFailed,
    long Batches,
    long Bytes,
    long? DurationMs,
    string? Error,
    string? ErrorDetail,
    long? EstimatedRows,
    double? Progress,
    double? RowsPerSecond)
{
    public static RunResponse From(RunRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.ConnectorId, r.Trigger, r.Status, r.StartedAt.UtcDateTime, r.FinishedAt?.UtcDateTime,
            r.RowsRead, r.RowsWritten, r.RowsFailed, r.Batches, r.Bytes, r.DurationMs, r.Error, r.ErrorDetail,
            r.EstimatedRows, r.Progress, r.RowsPerSecond is { } rate ? Math.Round(rate, 1) : null);
    }
}

/// <summary>The destination table as last measured (cached: at most seconds old while a run goes, refreshed after each run).</summary>
/// <param name="Rows">Rows in ClickHouse, versions collapsed (<c>count()</c> with <c>FINAL</c>); null when there is no table yet or it could not be read.</param>
/// <param name="NewestChange">When the newest change the table holds happened in the source (freshness is the time since), or null.</param>
/// <param name="LagSeconds">How far behind the source a change stream is (its running stream's lag, 0 while caught up); null for the other modes and while no stream applies.</param>
/// <param name="Error">Why the table could not be read, as one short line, or null.</param>
public sealed record TableStatisticsDto(long? Rows, DateTime? NewestChange, DateTime MeasuredAt, double? LagSeconds, string? Error)
{
    public static TableStatisticsDto? From(TableStatisticsSnapshot? s, double? lagSeconds = null) =>
        s is null ? null : new(s.Rows, s.NewestChange?.UtcDateTime, s.MeasuredAt.UtcDateTime, lagSeconds, s.Error);
}

/// <summary>A connector as stored, with its state. Passwords are masked (<c>***</c>).</summary>
/// <param name="BatchSize">As sent (null: the configured default applies).</param>
/// <param name="EffectiveBatchSize">The batch size runs use.</param>
/// <param name="LastRun">The last successful sync, or null.</param>
/// <param name="LastResult">The latest run, whatever its outcome, or null.</param>
/// <param name="Checkpoint">Where the next incremental run resumes, readable; null before the first batch and after a reset.</param>
/// <param name="CredentialsUnreadable">Its saved passwords cannot be decrypted (a database restored without its keys): it is not
/// scheduled until they are entered again.</param>
/// <param name="Stuck">Its run passed the run deadline (timeouts.run_seconds) and has not stopped yet.</param>
/// <param name="Warnings">What the user should fix: the last index check's and successful run's findings, unreadable credentials, a stuck run.</param>
/// <param name="OnHistoryLost">For <c>change_stream</c>: <c>resync</c> or <c>error</c> when the position fell off the oplog.</param>
/// <param name="LagSeconds">For a <c>change_stream</c> connector applying its stream: now minus the cluster time it has applied up to; null otherwise (also as statistics.lagSeconds once the table was measured).</param>
/// <param name="CaughtUp">For a <c>change_stream</c> connector applying its stream: true when nothing more was waiting; null otherwise.</param>
/// <param name="CheckpointReset">In the answer to an update: whether the edit reset the checkpoint (null in other answers).</param>
/// <param name="Message">In the answer to an update or a reset: what happened to the checkpoint.</param>
/// <param name="Statistics">The ClickHouse table's rows and freshness; null until first measured (the list answers without waiting).</param>
public sealed record ConnectorResponse(
    long Id,
    string Name,
    SourceDto Source,
    DestinationDto Destination,
    SyncMode Mode,
    string CursorField,
    int IntervalSeconds,
    int? BatchSize,
    int EffectiveBatchSize,
    MappingDto Mapping,
    TableDto Table,
    ConnectorStatus Status,
    bool Running,
    DateTime? LastRun,
    RunResponse? LastResult,
    int ConsecutiveFailures,
    string? Checkpoint,
    bool CredentialsUnreadable,
    bool Stuck,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    int SettleSeconds,
    IReadOnlyList<WarningDto> Warnings,
    int? VerifyIntervalSeconds,
    TableStatisticsDto? Statistics,
    HistoryLostPolicy OnHistoryLost,
    double? LagSeconds,
    bool? CaughtUp,
    bool? CheckpointReset = null,
    string? Message = null)
{
    public static ConnectorResponse From(ConnectorView view) => From(view, null);

    public static ConnectorResponse From(ConnectorView view, TableStatisticsSnapshot? statistics)
    {
        ArgumentNullException.ThrowIfNull(view);
        var (c, running, lastResult, checkpoint, effectiveBatchSize, stuck, checkpointReset, message) = view;
        var d = c.Definition;
        return new(
            c.Id,
            d.Name,
            new SourceDto(ConnectionString.Parse(d.Source.Uri).Masked, d.Source.Database, d.Source.Collection, d.Source.Filter, d.Source.Projection),
            new DestinationDto(ConnectionString.Parse(d.Destination.Uri).Masked, d.Destination.Database, d.Destination.Table),
            d.Mode,
            d.CursorField,
            d.IntervalSeconds,
            d.BatchSize,
            effectiveBatchSize,
            MappingDto.From(d.Mapping),
            new TableDto(d.Table.OrderBy, d.Table.PartitionBy, d.Table.Ttl),
            c.Status,
            running,
            c.LastRun?.UtcDateTime,
            lastResult is null ? null : RunResponse.From(lastResult),
            c.ConsecutiveFailures,
            checkpoint,
            c.CredentialsUnreadable,
            stuck,
            c.CreatedAt.UtcDateTime,
            c.UpdatedAt.UtcDateTime,
            d.SettleSeconds,
            WarningDto.From(view.Warnings),
            d.VerifyIntervalSeconds,
            TableStatisticsDto.From(statistics, view.LagSeconds),
            d.OnHistoryLost,
            view.LagSeconds,
            view.CaughtUp,
            checkpointReset,
            message);
    }
}

/// <summary>One line of the sync history.</summary>
/// <param name="Detail">For a failure: the drivers' own text behind the message (passwords masked), or null.</param>
public sealed record LogResponse(long Id, DateTime Time, LogSeverity Level, long? ConnectorId, long? RunId, string Message, string? Detail)
{
    public static LogResponse From(LogRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.Time.UtcDateTime, r.Level, r.ConnectorId, r.RunId, r.Message, r.Detail);
    }
}

public sealed record HealthCheckDto(string Status, string? Description);

/// <param name="Status"><c>healthy</c> or <c>unhealthy</c>.</param>
public sealed record HealthResponse([property: Description("healthy or unhealthy")] string Status, IReadOnlyDictionary<string, HealthCheckDto> Checks);
