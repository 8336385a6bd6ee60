namespace Zenith.Core.Verify;

/// <summary>
/// The rate decision of a token bucket, apart from any clock (times are passed in, in seconds): <see cref="Take"/> says how long
/// to wait before <c>n</c> more documents may be read. Holds at most one second of tokens, so an idle spell never buys a burst
/// larger than the rate. System.Threading.RateLimiting's limiter reads the Stopwatch itself and cannot be driven by a
/// TimeProvider, so the waits could not be tested without sleeping; this one is 30 lines.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _rate;
    private double _tokens;
    private double _last;

    /// <param name="perSecond">Tokens (documents) per second, at least 1.</param>
    /// <param name="now">The current time in seconds; the bucket starts full.</param>
    public TokenBucket(double perSecond, double now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        _rate = perSecond;
        _tokens = perSecond;
        _last = now;
    }

    /// <summary>Takes <paramref name="count"/> tokens (going into debt if needed); returns the seconds to wait before using them.</summary>
    public double Take(int count, double now)
    {
        _tokens = Math.Min(_rate, _tokens + (Math.Max(0, now - _last) * _rate));
        _last = now;
        _tokens -= count;
        return _tokens >= 0 ? 0 : -_tokens / _rate;
    }
}
