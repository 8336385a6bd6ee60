using System.Data.Common;
using Microsoft.Extensions.Time.Testing;
using Zenith.Core.Retries;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Pipeline;

namespace Zenith.Sync.Tests.Pipeline;

/// <summary>The retry loop alone: it asks the pure policy, waits on the clock it is given, and tells the observer.</summary>
public sealed class RetryLoopTests
{
    [Fact]
    public async Task Transient_failures_are_retried_after_the_policys_delay_on_the_time_provider()
    {
        var time = new WatchedTime();
        var observer = new RecordingObserver();
        var policy = new RetryPolicy(MaxAttempts: 3, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromSeconds(10));
        var loop = new RetryLoop(policy, ClickHouseErrors.IsTransient, time, observer, random: () => 0.5);
        var attempts = 0;

        var run = loop.RunAsync(_ => ++attempts < 3 ? Task.FromException(new HttpRequestException("reset")) : Task.CompletedTask, CancellationToken.None);
        Assert.Equal(1, attempts);
        Assert.False(run.IsCompleted);

        // Attempt 1 failed: half (the jitter) of the 1 s base; attempt 2: half of 2 s.
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => time.Timers == 2);
        Assert.Equal(2, attempts);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await run.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, attempts);
        Assert.Equal(
            ["ClickHouse: HttpRequestException; attempt 1 of 3 failed; retrying in 0.5 s", "ClickHouse: HttpRequestException; attempt 2 of 3 failed; retrying in 1 s"],
            observer.Notes);
    }

    [Fact]
    public async Task A_permanent_error_and_the_last_attempt_are_thrown_at_once()
    {
        var time = new FakeTimeProvider();
        var loop = new RetryLoop(new RetryPolicy(MaxAttempts: 2), ClickHouseErrors.IsTransient, time, new RecordingObserver());
        var permanent = 0;
        await Assert.ThrowsAsync<FakeDbException>(() => loop.RunAsync(_ => { permanent++; throw new FakeDbException(62); }, CancellationToken.None));
        Assert.Equal(1, permanent);

        var transient = 0;
        var run = loop.RunAsync(_ => { transient++; throw new FakeDbException(252); }, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<FakeDbException>(() => run);
        Assert.Equal(2, transient);
    }

    [Fact]
    public void Network_errors_timeouts_and_overload_codes_are_transient()
    {
        Assert.True(ClickHouseErrors.IsTransient(new HttpRequestException("refused")));
        Assert.True(ClickHouseErrors.IsTransient(new TimeoutException()));
        Assert.True(ClickHouseErrors.IsTransient(new InvalidOperationException("wrapped", new IOException())));
        Assert.True(ClickHouseErrors.IsTransient(new FakeDbException(252)));
        Assert.False(ClickHouseErrors.IsTransient(new FakeDbException(62)));
        Assert.False(ClickHouseErrors.IsTransient(new ArgumentException("bad")));
    }

    [Fact]
    public void Running_out_of_memory_is_told_as_Zenith_s_own_failure_not_the_server_s()
    {
        // The runtime's own: an array longer than Array.MaxLength is refused with OutOfMemoryException.
        var oom = Assert.Throws<OutOfMemoryException>(() => new byte[Math.Max(int.MaxValue, Array.MaxLength + 1)]);
        var described = ClickHouseErrors.Describe(oom, new Zenith.Core.Connectors.DestinationSpec("http://ch.example:8123", "db", "t"), TimeSpan.FromSeconds(10));
        Assert.StartsWith("Zenith ran out of memory while writing to ClickHouse at ch.example:8123", described.Line, StringComparison.Ordinal);
        Assert.DoesNotContain("not as ClickHouse does", described.Line, StringComparison.Ordinal);
        Assert.False(ClickHouseErrors.IsTransient(oom));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    private sealed class FakeDbException(int code) : DbException("x", code);

    /// <summary>Counts the timers made on it, so a test advances the clock only once the loop waits on it.</summary>
    private sealed class WatchedTime : FakeTimeProvider
    {
        private int timers;

        public int Timers => Volatile.Read(ref timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
