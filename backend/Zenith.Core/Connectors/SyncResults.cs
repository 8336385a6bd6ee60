namespace Zenith.Core.Connectors;

public enum SyncOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What one run did: what the store, the API and the metrics need.</summary>
/// <param name="Warnings">What the user should fix, found by the run (a missing index, far-future cursor values…); null is none.</param>
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
    IReadOnlyList<SyncWarning>? Warnings = null);

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
}

public sealed record EndpointCheck(bool Ok, string Message);

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

    /// <summary>The ClickHouse columns a sample of the collection maps to.</summary>
    Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken);

    /// <summary>
    /// Has the destination parse the connector's table expressions (ORDER BY, PARTITION BY, TTL) in a throwaway definition: the
    /// field errors (<c>table.orderBy</c>, …) of those it refuses. Empty when it accepts them or cannot be reached (the allow-list
    /// checked on saving still holds). Never throws for a refused expression.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> CheckTableOptionsAsync(DestinationSpec destination, TableOptions table, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}
