using Zenith.Core.Verify;
using Zenith.Service.Domain;

namespace Zenith.Service.Api;

/// <summary>What to verify; every field is optional.</summary>
/// <param name="SampleSize">Documents whose every column is compared (default <c>verification.sample_size</c>, 1000; 0 compares the ids only).</param>
public sealed record VerificationRequest(int? SampleSize = null);

/// <param name="Id">The <c>_id</c> as ClickHouse's <c>_id</c> column holds it (ObjectIds as hex).</param>
/// <param name="Type">The BSON type bracket of the <c>_id</c> (<c>objectId</c>, <c>string</c>, <c>number</c>…), when known.</param>
public sealed record VerifiedIdDto(string Id, string? Type);

/// <param name="Reason"><c>differs</c>, <c>no column</c> (a field the table has no column for) or <c>type</c> (its column's type cannot hold the value).</param>
public sealed record ColumnDifferenceDto(string Column, string SourcePath, string Reason);

public sealed record ValueMismatchDto(VerifiedIdDto Id, IReadOnlyList<ColumnDifferenceDto> Columns);

/// <summary>What a verification found. Every count was read again before it counted; lists hold the first ids (<c>verification.max_reported_ids</c>).</summary>
/// <param name="SourceCount">Documents through the connector's filter.</param>
/// <param name="DestinationCount">Rows of the table read with FINAL.</param>
/// <param name="Missing">Documents with no row.</param>
/// <param name="Extra">Rows with no document; in the incremental modes, documents deleted in MongoDB.</param>
/// <param name="Stale">Rows whose cursor value is older than the document's and that the next run will not copy again.</param>
/// <param name="Pending">Documents the next run will copy (new, or changed after the checkpoint): not differences.</param>
/// <param name="Sampled">Documents whose values were compared.</param>
/// <param name="ValueMismatches">Sampled documents with at least one differing column.</param>
/// <param name="ChangedDuringVerification">Differences seen once that the re-read did not confirm.</param>
/// <param name="Clean">No missing, extra or stale row and no differing value.</param>
public sealed record VerificationReportDto(
    long SourceCount,
    long DestinationCount,
    long Missing,
    long Extra,
    long Stale,
    long Pending,
    long Sampled,
    long ValueMismatches,
    long ChangedDuringVerification,
    bool Clean,
    IReadOnlyList<VerifiedIdDto> MissingIds,
    IReadOnlyList<VerifiedIdDto> ExtraIds,
    IReadOnlyList<VerifiedIdDto> StaleIds,
    IReadOnlyList<ValueMismatchDto> Mismatches,
    IReadOnlyList<string> Notes)
{
    public static VerificationReportDto From(VerificationReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        static VerifiedIdDto Id(VerifiedId i) => new(i.Id, i.Type);
        return new(
            r.SourceCount, r.DestinationCount, r.Missing, r.Extra, r.Stale, r.Pending, r.Sampled, r.ValueMismatches, r.ChangedDuringVerification, r.IsClean,
            [.. r.MissingIds.Select(Id)], [.. r.ExtraIds.Select(Id)], [.. r.StaleIds.Select(Id)],
            [.. r.Mismatches.Select(m => new ValueMismatchDto(Id(m.Id), [.. m.Columns.Select(c => new ColumnDifferenceDto(c.Column, c.SourcePath, c.Reason))]))],
            r.Notes);
    }
}

/// <summary>A verification of a connector's table against its collection: its progress while it runs, its report when it ends.</summary>
/// <param name="Status"><c>queued</c> while waiting for a verification slot (<c>verification.max_parallel</c>).</param>
/// <param name="Phase"><c>queued</c>, <c>ids</c> (the sets of ids, and freshness), <c>sample</c> (values), <c>done</c>.</param>
/// <param name="EstimatedTotal">The collection's estimated size, for progress.</param>
/// <param name="Report">Null until it has ended; a cancelled or failed one reports what it got to.</param>
public sealed record VerificationResponse(
    long Id,
    long ConnectorId,
    VerificationTrigger Trigger,
    VerificationStatus Status,
    DateTime StartedAt,
    DateTime? FinishedAt,
    string Phase,
    long IdsCompared,
    long EstimatedTotal,
    long? DurationMs,
    VerificationReportDto? Report,
    string? Error)
{
    public static VerificationResponse From(VerificationRecord v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.Id, v.ConnectorId, v.Trigger, v.Status, v.StartedAt.UtcDateTime, v.FinishedAt?.UtcDateTime, v.Phase, v.IdsCompared, v.EstimatedTotal,
            v.DurationMs, v.Report is null ? null : VerificationReportDto.From(v.Report), v.Error);
    }
}
