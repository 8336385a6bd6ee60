using Microsoft.Extensions.Time.Testing;
using Zenith.Core.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Runs;

namespace Zenith.Service.Tests.Scheduling;

public class SchedulePolicyTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly SchedulePolicy policy = new(failureThreshold: 3);

    [Fact]
    public void A_connector_that_never_ran_is_due_at_once()
    {
        var state = new ScheduleState(ConnectorStatus.Active, 60, 0, null);
        Assert.Equal(time.GetUtcNow(), policy.NextRunAt(state, time.GetUtcNow()));
    }

    [Fact]
    public void A_change_stream_is_due_whenever_it_does_not_run_and_backs_off_after_failures_whatever_its_interval()
    {
        var last = time.GetUtcNow();
        var now = last.AddSeconds(1);
        Assert.Equal(now, policy.NextRunAt(new ScheduleState(ConnectorStatus.Active, 3600, 0, last, Continuous: true), now));
        Assert.Equal(last.AddSeconds(5), policy.NextRunAt(new ScheduleState(ConnectorStatus.Active, 3600, 1, last, Continuous: true), now));
        Assert.Equal(last.AddSeconds(20), policy.NextRunAt(new ScheduleState(ConnectorStatus.Active, 3600, 3, last, Continuous: true), now));
        Assert.Null(policy.NextRunAt(new ScheduleState(ConnectorStatus.Paused, 3600, 0, last, Continuous: true), now));
    }

    [Fact]
    public void A_connector_whose_credentials_are_unreadable_is_not_scheduled() =>
        Assert.Null(policy.NextRunAt(new ScheduleState(ConnectorStatus.Active, 60, 0, null, CredentialsUnreadable: true), time.GetUtcNow()));

    [Fact]
    public void After_a_success_the_next_run_is_one_interval_after_the_last()
    {
        var last = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(10));
        var next = policy.NextRunAt(new ScheduleState(ConnectorStatus.Active, 60, 0, last), time.GetUtcNow());
        Assert.Equal(last.AddSeconds(60), next);
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(next <= time.GetUtcNow(), "due exactly when the interval has passed");
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(7, 3600)]
    [InlineData(40, 3600)]
    public void Failures_back_off_doubling_up_to_an_hour(int failures, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), SchedulePolicy.Delay(60, failures));

    [Fact]
    public void Back_off_never_waits_less_than_a_long_interval() =>
        Assert.Equal(TimeSpan.FromHours(3), SchedulePolicy.Delay(3 * 3600, 5));

    [Theory]
    [InlineData(ConnectorStatus.Paused)]
    [InlineData(ConnectorStatus.Error)]
    public void Paused_and_error_connectors_are_not_scheduled(ConnectorStatus status) =>
        Assert.Null(policy.NextRunAt(new ScheduleState(status, 1, 0, null), time.GetUtcNow()));

    [Fact]
    public void The_third_failure_in_a_row_turns_the_connector_to_error()
    {
        var first = policy.AfterRun(ConnectorStatus.Active, 0, SyncOutcome.Failed);
        var second = policy.AfterRun(first.Status, first.ConsecutiveFailures, SyncOutcome.Failed);
        var third = policy.AfterRun(second.Status, second.ConsecutiveFailures, SyncOutcome.Failed);
        Assert.Equal((ConnectorStatus.Active, 1, false), (first.Status, first.ConsecutiveFailures, first.TurnedToError));
        Assert.Equal((ConnectorStatus.Active, 2, false), (second.Status, second.ConsecutiveFailures, second.TurnedToError));
        Assert.Equal((ConnectorStatus.Error, 3, true), (third.Status, third.ConsecutiveFailures, third.TurnedToError));
    }

    [Fact]
    public void A_success_resets_the_count_and_a_cancelled_run_changes_nothing()
    {
        Assert.Equal(new RunVerdict(ConnectorStatus.Active, 0, false), policy.AfterRun(ConnectorStatus.Active, 2, SyncOutcome.Succeeded));
        Assert.Equal(new RunVerdict(ConnectorStatus.Active, 2, false), policy.AfterRun(ConnectorStatus.Active, 2, SyncOutcome.Cancelled));
    }

    [Fact]
    public void A_connector_paused_while_it_failed_stays_paused() =>
        Assert.Equal(new RunVerdict(ConnectorStatus.Paused, 3, false), policy.AfterRun(ConnectorStatus.Paused, 2, SyncOutcome.Failed));

    [Fact]
    public void The_threshold_comes_from_configuration()
    {
        var strict = new SchedulePolicy(1);
        Assert.True(strict.AfterRun(ConnectorStatus.Active, 0, SyncOutcome.Failed).TurnedToError);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchedulePolicy(0));
    }
}

public class SchedulerSignalTests
{
    [Fact]
    public async Task Waiting_ends_when_the_fake_clock_passes_the_delay()
    {
        var time = new FakeTimeProvider();
        var signal = new SchedulerSignal();
        var wait = signal.WaitAsync(TimeSpan.FromMinutes(5), time, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_wake_ends_the_wait_early_and_many_wakes_count_once()
    {
        var time = new FakeTimeProvider();
        var signal = new SchedulerSignal();
        signal.Wake();
        signal.Wake();
        await signal.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var second = signal.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None);
        Assert.False(second.IsCompleted);
        signal.Wake();
        await second.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
