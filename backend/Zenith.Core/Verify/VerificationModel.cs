using Zenith.Core.Connectors;

namespace Zenith.Core.Verify;

/// <summary>How thorough and how gentle one verification is. Every default is the one written here.</summary>
public sealed record VerificationOptions
{
    /// <summary>Documents whose every column is compared with the source (a random sample); default 1,000, 0 skips the value comparison.</summary>
    public int SampleSize { get; init; } = 1000;

    /// <summary>How many ids of each kind of difference are listed (the totals are always exact); default 20.</summary>
    public int MaxReportedIds { get; init; } = 20;

    /// <summary>The most documents per second read from MongoDB (ids, samples and re-reads alike); default 200,000.</summary>
    public int MaxDocumentsPerSecond { get; init; } = 200_000;

    /// <summary>
    /// Ids compared per range: MongoDB's next range of this many ids is checked against ClickHouse's rows of the same range,
    /// so memory holds a few ranges whatever the size of the collection; default 20,000.
    /// </summary>
    public int RangeSize { get; init; } = 20_000;

    /// <summary>Ids of brackets MongoDB does not order as ClickHouse does (numbers, dates…) sorted in memory before they spill to disk; default 200,000.</summary>
    public int SortRunSize { get; init; } = 200_000;
}

/// <summary>One id of a difference: its text as ClickHouse's <c>_id</c> holds it and its BSON type bracket when known.</summary>
public sealed record VerifiedId(string Id, string? Type);

/// <summary>A sampled document some of whose columns differ from what the engine writes for it today.</summary>
/// <param name="Columns">The differing columns, each with the source path it comes from.</param>
public sealed record ValueMismatch(VerifiedId Id, IReadOnlyList<ColumnDifference> Columns);

/// <param name="Reason">Why: <c>differs</c>, <c>no column</c> (a field the table lacks), <c>type</c> (the column's type cannot hold it).</param>
public sealed record ColumnDifference(string Column, string SourcePath, string Reason);

/// <summary>What one verification found. Every count is after the re-check: a difference seen once is read again, both sides, before it counts.</summary>
/// <param name="SourceCount">Documents through the connector's filter.</param>
/// <param name="DestinationCount">Rows of the table read with FINAL.</param>
/// <param name="Missing">Documents with no row.</param>
/// <param name="Extra">Rows with no document (deletes at the source, in the incremental modes).</param>
/// <param name="Stale">Rows whose cursor value is not the document's, and which the next run will not read again.</param>
/// <param name="Pending">Documents not yet copied, or copied before their last change, that the next run reads: not differences.</param>
/// <param name="Sampled">Documents of the sample whose values were compared.</param>
/// <param name="ValueMismatches">Sampled documents with at least one differing column.</param>
/// <param name="ChangedDuringVerification">Differences seen once that the re-read did not confirm (documents or rows that changed meanwhile).</param>
public sealed record VerificationReport(
    long SourceCount,
    long DestinationCount,
    long Missing,
    long Extra,
    long Stale,
    long Pending,
    long Sampled,
    long ValueMismatches,
    long ChangedDuringVerification,
    IReadOnlyList<VerifiedId> MissingIds,
    IReadOnlyList<VerifiedId> ExtraIds,
    IReadOnlyList<VerifiedId> StaleIds,
    IReadOnlyList<ValueMismatch> Mismatches,
    IReadOnlyList<string> Notes)
{
    /// <summary>No missing, extra or stale row and no differing value.</summary>
    public bool IsClean => Missing == 0 && Extra == 0 && Stale == 0 && ValueMismatches == 0;
}

public enum VerificationOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>A finished verification: its report (also for a failed or cancelled one: what it got to), or why it has none.</summary>
public sealed record VerificationResult(VerificationOutcome Outcome, VerificationReport? Report, TimeSpan Duration, long IdsCompared, string? Error);

/// <summary>Where a verification is, for progress: the phase, ids compared so far, and the collection's estimated size.</summary>
public readonly record struct VerificationProgress(string Phase, long IdsCompared, long EstimatedTotal, long Sampled);

/// <summary>Told how a verification goes; called from its own task: must be quick and must not throw.</summary>
public interface IVerificationObserver
{
    void Progressed(VerificationProgress progress);

    /// <summary>The first pass saw differences and is about to read them again (a seam for tests that change data meanwhile).</summary>
    void Rechecking(int differences) { }
}

/// <summary>Proves that a connector's table equals its collection: the sets of ids, freshness, and the values of a sample.</summary>
public interface IVerifier
{
    /// <summary>
    /// Never throws for a failed verification: the result says why. <paramref name="checkpoint"/> is where the next run resumes
    /// (what it will still read is pending, not a difference).
    /// </summary>
    Task<VerificationResult> VerifyAsync(ConnectorSpec connector, Checkpoint? checkpoint, VerificationOptions options, IVerificationObserver observer, CancellationToken cancellationToken);
}
