namespace Zenith.Core.Connectors;

public enum SyncOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What one run did: what the store, the API and the metrics need.</summary>
public sealed record SyncRunResult(
    SyncOutcome Outcome,
    long RowsRead,
    long RowsWritten,
    long RowsFailed,
    long Batches,
    long Bytes,
    TimeSpan Duration,
    Checkpoint? Checkpoint,
    string? Error);

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

public sealed record ConnectionTestResult(EndpointCheck Source, EndpointCheck Destination);

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
    Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, CancellationToken cancellationToken);

    /// <summary>Checks MongoDB: reachable, authenticated, the collection present. Never throws for a failed check.</summary>
    Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken);

    /// <summary>Checks ClickHouse: reachable, authenticated. Never throws for a failed check.</summary>
    Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken);

    /// <summary>Checks both ends, one after the other.</summary>
    async Task<ConnectionTestResult> TestAsync(SourceSpec source, DestinationSpec destination, CancellationToken cancellationToken) =>
        new(await TestSourceAsync(source, cancellationToken), await TestDestinationAsync(destination, cancellationToken));

    /// <summary>The ClickHouse columns a sample of the collection maps to.</summary>
    Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken);
}
