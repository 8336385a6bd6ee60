using Zenith.Core.Connectors;

namespace Zenith.Service.Domain;

/// <summary>What the scheduler needs to know about a connector to decide when it runs next.</summary>
/// <param name="CredentialsUnreadable">Its secrets cannot be decrypted: a run could only fail until they are entered again.</param>
/// <param name="Continuous">A change-stream connector: it runs all the time, restarted at once after a stop and with back-off after failures.</param>
public readonly record struct ScheduleState(ConnectorStatus Status, int IntervalSeconds, int ConsecutiveFailures, DateTimeOffset? LastAttemptAt, bool CredentialsUnreadable = false, bool Continuous = false);

/// <summary>A connector's status and failure count after a run.</summary>
public readonly record struct RunVerdict(ConnectorStatus Status, int ConsecutiveFailures, bool TurnedToError);

/// <summary>
/// The scheduling decisions, apart from the loop that performs them: when a connector is due, how long to back
/// off after failures, and when repeated failures turn it to <c>error</c> (the PRD's alerting).
/// </summary>
public sealed class SchedulePolicy(int failureThreshold)
{
    /// <summary>Back-off never waits longer than this (or the interval, if that is longer).</summary>
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromHours(1);

    /// <summary>Connectors due when the service starts begin within this (or their interval, if shorter), not all at once.</summary>
    public static readonly TimeSpan MaxStartupJitter = TimeSpan.FromSeconds(5);

    public int FailureThreshold { get; } = failureThreshold >= 1 ? failureThreshold : throw new ArgumentOutOfRangeException(nameof(failureThreshold));

    /// <summary>
    /// When the connector should run next; null when it must not run (paused, in error, or its credentials unreadable). A connector that never ran is
    /// due at once. After <c>n</c> failures in a row the wait is the interval × 2^(n-1), capped at max(interval, 1 h).
    /// </summary>
    public DateTimeOffset? NextRunAt(ScheduleState state, DateTimeOffset now)
    {
        if (state.Status != ConnectorStatus.Active || state.CredentialsUnreadable)
        {
            return null;
        }

        if (state.LastAttemptAt is not { } last)
        {
            return now;
        }

        if (state.Continuous)
        {
            // A stream is due whenever it does not run; after failures it waits as runs do, from a short base.
            return state.ConsecutiveFailures == 0 ? now : last + Delay(StreamRestartSeconds, state.ConsecutiveFailures);
        }

        return last + Delay(state.IntervalSeconds, state.ConsecutiveFailures);
    }

    /// <summary>How long after start-up a connector that is due then begins: a random part of the jitter window.</summary>
    /// <param name="random01">A number in [0, 1).</param>
    public static TimeSpan StartupDelay(int intervalSeconds, double random01)
    {
        var window = Math.Min(MaxStartupJitter.TotalSeconds, Math.Max(1, intervalSeconds));
        return TimeSpan.FromSeconds(window * Math.Clamp(random01, 0, 1));
    }

    /// <summary>The back-off base of a change stream that failed: 5 s, doubling per failure in a row, at most an hour.</summary>
    public const int StreamRestartSeconds = 5;

    public static TimeSpan Delay(int intervalSeconds, int consecutiveFailures)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, intervalSeconds));
        if (consecutiveFailures <= 0)
        {
            return interval;
        }

        var cap = interval > MaxBackOff ? interval : MaxBackOff;
        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 30));
        var backOff = TimeSpan.FromSeconds(Math.Min(interval.TotalSeconds * factor, cap.TotalSeconds));
        return backOff;
    }

    /// <summary>
    /// A success clears the count; a failure adds one and turns an active connector to <c>error</c> at the threshold;
    /// a cancelled run changes nothing. A connector paused while it ran stays paused.
    /// </summary>
    public RunVerdict AfterRun(ConnectorStatus current, int consecutiveFailures, SyncOutcome outcome) => outcome switch
    {
        SyncOutcome.Succeeded => new(current, 0, false),
        SyncOutcome.Failed when consecutiveFailures + 1 >= FailureThreshold && current == ConnectorStatus.Active =>
            new(ConnectorStatus.Error, consecutiveFailures + 1, true),
        SyncOutcome.Failed => new(current, consecutiveFailures + 1, false),
        _ => new(current, consecutiveFailures, false),
    };
}
