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
}
