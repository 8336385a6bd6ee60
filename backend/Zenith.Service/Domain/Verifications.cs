using Zenith.Core.Verify;

namespace Zenith.Service.Domain;

// A verification of a connector's table against its collection, as SQLite keeps it. No XML doc comments on the enums: they
// would become descriptions in the OpenAPI document.
public enum VerificationStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum VerificationTrigger
{
    Manual,
    Schedule,
    Resync,
}

/// <summary>One verification: where it is while it runs, and what it found (<see cref="Report"/>, null before it ends).</summary>
public sealed record VerificationRecord(
    long Id,
    long ConnectorId,
    VerificationTrigger Trigger,
    VerificationStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Phase,
    long IdsCompared,
    long EstimatedTotal,
    long? DurationMs,
    VerificationReport? Report,
    string? Error)
{
    public bool IsFinished => Status is VerificationStatus.Succeeded or VerificationStatus.Failed or VerificationStatus.Cancelled;

    /// <summary>Finished, and found no difference.</summary>
    public bool IsClean => Status == VerificationStatus.Succeeded && Report is { IsClean: true };
}

/// <summary>
/// When a connector is verified by itself: its interval has passed since its last verification started (or it never had one).
/// </summary>
public static class VerificationPolicy
{
    public static bool IsDue(int? intervalSeconds, ConnectorStatus status, DateTimeOffset? lastStartedAt, DateTimeOffset now) =>
        intervalSeconds is > 0 && status == ConnectorStatus.Active && (lastStartedAt is not { } last || now - last >= TimeSpan.FromSeconds(intervalSeconds.Value));
}
