namespace Zenith.Core.Connectors;

public enum SyncOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What one run did: what the store, the API and the metrics need.</summary>
/// <param name="Warnings">What the user should fix, found by the run (a missing index, far-future cursor values…); null is none.</param>
/// <param name="Error">Why the run failed, as one short line a person reads (the host, the user, the name that is wrong).</param>
/// <param name="ErrorDetail">The drivers' own text behind <paramref name="Error"/> (passwords masked), for the details a person may open.</param>
public sealed record SyncRunResult(
    SyncOutcome Outcome,
    long RowsRead,
    long RowsWritten,
    long RowsFailed,
    long Batches,
    long Bytes,
    TimeSpan Duration,
    Checkpoint? Checkpoint,
    string? Error,
    IReadOnlyList<SyncWarning>? Warnings = null,
    string? ErrorDetail = null)
{
    /// <summary>
    /// change_stream: the watched collection is gone (dropped, renamed, its database dropped: the stream was invalidated). The
    /// connector stops with <see cref="Error"/> saying so and is not retried; the ClickHouse table is kept.
    /// </summary>
    public bool SourceGone { get; init; }
}

public enum SyncWarningKind
{
    /// <summary>No index gives the mode's order: every run scans and sorts the collection.</summary>
    MissingIndex,

    /// <summary>Cursor values far in the future: copied, but they never move the checkpoint (and are read again each run).</summary>
    FarFutureValues,

    /// <summary>Cursor values that are arrays: copied, but they never move the checkpoint.</summary>
    ArrayCursorValues,

    /// <summary>Values that did not fit a sorting or partition key column (never widened): those rows hold NULL there.</summary>
    KeyValuesNotStored,

    /// <summary>The service cannot decrypt the connector's saved passwords (a database restored without its keys).</summary>
    CredentialsUnreadable,

    /// <summary>The service sees the connector's run past its deadline, not stopped yet.</summary>
    RunStuck,
}

/// <summary>Something about a connector the user should fix; <paramref name="Message"/> says what and how (no document contents).</summary>
public sealed record SyncWarning(SyncWarningKind Kind, string Message);

/// <summary>How a run goes, beyond the connector's definition.</summary>
/// <param name="RunId">Names the run's staging table and marks it (the service's run id; any text unique to the run).</param>
/// <param name="Resync">
/// Reload everything into a new table and swap it in atomically, whatever the mode; the mode's checkpoint is stored after the
/// swap, where the reload's read settled (until then the stored one stays, so a run cut short changes nothing).
/// </param>
public sealed record RunOptions(string RunId, bool Resync = false)
{
    /// <summary>Options for a run with a fresh random id.</summary>
    public static RunOptions New(bool resync = false) => new(Guid.NewGuid().ToString("N")[..12], resync);
}

/// <summary>Progress of a run after each batch ClickHouse acknowledged (cumulative for the run).</summary>
public readonly record struct SyncProgress(long RowsRead, long RowsWritten, long RowsFailed, long Batches, long Bytes);

/// <summary>
/// Told about a run while it goes, so the host can update metrics, live run rows and the log.
/// Called from the pipeline's ordered stage: implementations must be quick and must not throw.
/// </summary>
public interface ISyncObserver
{
    /// <summary>
    /// An insert (one or more coalesced batches) was acknowledged by ClickHouse and its checkpoint stored.
    /// <paramref name="batch"/> is what that insert added, <paramref name="total"/> the run so far.
    /// </summary>
    void BatchCommitted(SyncProgress batch, SyncProgress total);

    /// <summary>A document could not be written; the run goes on. Never pass document contents.</summary>
    void DocumentFailed(string documentId, string reason);

    /// <summary>Something a person would want in the sync history (table created, column added, retrying...).</summary>
    void Note(string message);

    /// <summary>change_stream: the initial load (or a resync's reload) is done; from now on the run applies the stream.</summary>
    void StreamStarted()
    {
    }

    /// <summary>change_stream: a micro-batch was applied (and its resume token stored), or the stream was found idle.</summary>
    void StreamApplied(ChangeStreamProgress progress)
    {
    }

    /// <summary>
    /// The collection's estimated size (MongoDB's <c>estimatedDocumentCount</c>), told once when a run reads the whole collection
    /// (a first load, a full sync) without a filter: what its progress is measured against.
    /// </summary>
    void SourceEstimated(long documents)
    {
    }

    /// <summary>Documents read so far by the run (before they are written), told as batches are cut. Must be quick.</summary>
    void DocumentsRead(long total)
    {
    }
}

/// <summary>Events of one kind applied by a micro-batch; <paramref name="Unreadable"/> events too large to read, whose documents were re-read by <c>_id</c>.</summary>
public readonly record struct ChangeCounts(long Inserts, long Updates, long Replaces, long Deletes, long Unreadable)
{
    public long Total => Inserts + Updates + Replaces + Deletes;
}

/// <summary>
/// Where a change stream is: the cluster time of the last event applied (null before one), the cluster time everything applied
/// covers (the resume token's: on an idle stream the post-batch token's, close to now), whether nothing more was waiting, and
/// what the micro-batch applied.
/// </summary>
public readonly record struct ChangeStreamProgress(DateTimeOffset? LastEventAt, DateTimeOffset? PositionAt, bool CaughtUp, ChangeCounts Applied);

/// <summary>The result of checking one end.</summary>
/// <param name="Message">One short line: what was found, or what is wrong (the host, the user, the name).</param>
/// <param name="Detail">On a failure, the driver's own text behind the line (passwords masked); null when the line says it all.</param>
public sealed record EndpointCheck(bool Ok, string Message, string? Detail = null);

public sealed record ConnectionTestResult(EndpointCheck Source, EndpointCheck Destination)
{
    /// <summary>What the user should fix for the mode to read well (the index it needs), when the test was asked about a mode.</summary>
    public IReadOnlyList<SyncWarning> Warnings { get; init; } = [];
}

/// <summary>A column of the preview.</summary>
/// <param name="Kind">scalar, array, map, nested, json, overflow, document or metadata.</param>
/// <param name="Reason">Why the column is made this way (a map's keys, a type choice), or null.</param>
public sealed record PreviewColumn(string Name, string Type, string SourcePath, string Kind = "scalar", string? Reason = null);

/// <summary>The columns a sample maps to, as the run would make them, and what the user should know (budget, mixed types, out-of-range values).</summary>
public sealed record MappingPreview(IReadOnlyList<PreviewColumn> Columns, int Sampled, IReadOnlyList<string> Warnings)
{
    public MappingPreview(IReadOnlyList<PreviewColumn> columns, int sampled)
        : this(columns, sampled, [])
    {
    }
}

/// <summary>The sync engine as the service sees it.</summary>
public interface ISyncEngine
{
    /// <summary>Runs one sync. Never throws for a failed run: the result says why. Cancellation ends the run between batches with <see cref="SyncOutcome.Cancelled"/>.</summary>
    Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken);

    /// <summary>Runs one sync with a fresh run id.</summary>
    Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, CancellationToken cancellationToken) =>
        RunAsync(connector, checkpoints, observer, RunOptions.New(), cancellationToken);

    /// <summary>What the user should fix about the source for this connector (the index its mode needs). Never throws: an unreachable source gives none.</summary>
    Task<IReadOnlyList<SyncWarning>> CheckSourceAsync(ConnectorSpec connector, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SyncWarning>>([]);

    /// <summary>Checks MongoDB: reachable, authenticated, the collection present. Never throws for a failed check.</summary>
    Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken);

    /// <summary>Checks ClickHouse: reachable, authenticated. Never throws for a failed check.</summary>
    Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken);

    /// <summary>Checks both ends, one after the other.</summary>
    async Task<ConnectionTestResult> TestAsync(SourceSpec source, DestinationSpec destination, CancellationToken cancellationToken) =>
        new(await TestSourceAsync(source, cancellationToken), await TestDestinationAsync(destination, cancellationToken));

    /// <summary>The ClickHouse columns a sample of the collection maps to. A failure throws <see cref="SyncFailedException"/>.</summary>
    Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken);

    /// <summary>
    /// Has the destination parse the connector's table expressions (ORDER BY, PARTITION BY, TTL) in a throwaway definition: the
    /// field errors (<c>table.orderBy</c>, …) of those it refuses. Empty when it accepts them or cannot be reached (the allow-list
    /// checked on saving still holds). Never throws for a refused expression.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> CheckTableOptionsAsync(DestinationSpec destination, TableOptions table, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    /// <summary>
    /// The destination table as it is now: its columns (from <c>system.columns</c>, source paths from Zenith's column comments), and,
    /// when <paramref name="withStatistics"/>, its row count (<c>count()</c> with <c>FINAL</c>) and the newest change it holds.
    /// Null when the table does not exist. A failure throws <see cref="SyncFailedException"/>.
    /// </summary>
    Task<DestinationTableInfo?> DescribeTableAsync(ConnectorSpec connector, bool withStatistics, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this engine does not read destination tables");
}

/// <summary>A column of the destination table as ClickHouse has it.</summary>
/// <param name="SourcePath">The document path the column comes from (dotted), or empty for Zenith's own columns.</param>
public sealed record TableColumn(string Name, string Type, string SourcePath);

/// <summary>The destination table as it is now.</summary>
/// <param name="Rows">Rows with versions collapsed (<c>count()</c> with <c>FINAL</c>); null unless statistics were asked for.</param>
/// <param name="NewestChange">
/// When the newest change the table holds happened in the source: the largest cursor value (incremental by timestamp), the time in
/// the largest ObjectId <c>_id</c> (incremental by id), the newest sync time (full); null when unknown.
/// </param>
public sealed record DestinationTableInfo(string Database, string Table, IReadOnlyList<TableColumn> Columns, long? Rows, DateTimeOffset? NewestChange);

/// <summary>A check, preview or table read that failed: the message is one short line, <see cref="Detail"/> the drivers' text.</summary>
public sealed class SyncFailedException : Exception
{
    public SyncFailedException(string message, string? detail, Exception? inner = null)
        : base(message, inner) => Detail = detail;

    public SyncFailedException()
    {
    }

    public SyncFailedException(string message)
        : base(message)
    {
    }

    public SyncFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The drivers' own text behind the message (passwords masked), or null.</summary>
    public string? Detail { get; }
}
