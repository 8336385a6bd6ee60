using Microsoft.Extensions.Time.Testing;
using Zenith.Core.Retries;

namespace Zenith.Core.Tests;

public class RetryPolicyTests
{
    [Fact]
    public void Transient_errors_back_off_exponentially_up_to_the_cap_then_give_up()
    {
        var policy = new RetryPolicy(MaxAttempts: 5, BaseDelay: TimeSpan.FromMilliseconds(100), MaxDelay: TimeSpan.FromMilliseconds(300));
        var delays = Enumerable.Range(1, 4).Select(a => policy.Decide(a, transient: true, random01: 0.999999).Delay.TotalMilliseconds).ToArray();
        Assert.Equal([100, 200, 300, 300], delays.Select(d => Math.Round(d)));
        Assert.False(policy.Decide(5, transient: true, random01: 0.5).Retry);
    }

    [Fact]
    public void Jitter_scales_the_delay_and_permanent_errors_never_retry()
    {
        var policy = new RetryPolicy(BaseDelay: TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.Decide(1, true, 0.5).Delay);
        Assert.False(policy.Decide(1, transient: false, random01: 0.5).Retry);
    }

    [Fact]
    public async Task The_delay_is_waited_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var decision = RetryPolicy.Default.Decide(3, true, 1);
        var wait = Task.Delay(decision.Delay, time);
        Assert.False(wait.IsCompleted);
        time.Advance(decision.Delay);
        await wait;
    }

    [Fact]
    public void Network_errors_timeouts_and_overload_codes_are_transient()
    {
        Assert.True(TransientErrors.IsTransient(new HttpRequestException("refused")));
        Assert.True(TransientErrors.IsTransient(new TimeoutException()));
        Assert.True(TransientErrors.IsTransient(new InvalidOperationException("wrapped", new IOException())));
        Assert.True(TransientErrors.IsTransient(new FakeDbException(252)));
        Assert.False(TransientErrors.IsTransient(new FakeDbException(62)));
        Assert.False(TransientErrors.IsTransient(new ArgumentException("bad")));
    }

    private sealed class FakeDbException(int code) : System.Data.Common.DbException("x", code);
}
