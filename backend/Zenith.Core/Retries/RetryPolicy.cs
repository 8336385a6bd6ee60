namespace Zenith.Core.Retries;

/// <summary>What to do after a failed attempt.</summary>
public readonly record struct RetryDecision(bool Retry, TimeSpan Delay, string Reason);

/// <summary>
/// Capped exponential back-off with full jitter and an attempt limit, for transient errors only.
/// Pure: the IO loop asks <see cref="Decide"/> and waits itself (on its <see cref="TimeProvider"/>).
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included (default 6).</param>
/// <param name="BaseDelay">Delay ceiling after the first failure; doubles each attempt (default 200 ms).</param>
/// <param name="MaxDelay">Cap on one delay (default 10 s).</param>
public sealed record RetryPolicy(int MaxAttempts = 6, TimeSpan BaseDelay = default, TimeSpan MaxDelay = default)
{
    public static RetryPolicy Default { get; } = new();

    /// <summary>Never retries (tests, and callers that retry at a higher level).</summary>
    public static RetryPolicy None { get; } = new(1);

    private TimeSpan Base => BaseDelay == default ? TimeSpan.FromMilliseconds(200) : BaseDelay;

    private TimeSpan Cap => MaxDelay == default ? TimeSpan.FromSeconds(10) : MaxDelay;

    /// <param name="attempt">The attempt that just failed, 1 for the first.</param>
    /// <param name="transient">Whether the error is worth another try: the adapter that saw it knows (e.g. ClickHouse's overload codes).</param>
    /// <param name="random01">A number in [0, 1) for the jitter.</param>
    public RetryDecision Decide(int attempt, bool transient, double random01)
    {
        if (!transient)
        {
            return new RetryDecision(false, TimeSpan.Zero, "the error is not transient");
        }

        if (attempt >= MaxAttempts)
        {
            return new RetryDecision(false, TimeSpan.Zero, $"gave up after {attempt} attempts");
        }

        var ceiling = Math.Min(Cap.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, attempt - 1));
        var delay = TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random01, 0, 1));
        return new RetryDecision(true, delay, $"attempt {attempt} of {MaxAttempts} failed; retrying in {delay.TotalSeconds:0.###} s");
    }
}
