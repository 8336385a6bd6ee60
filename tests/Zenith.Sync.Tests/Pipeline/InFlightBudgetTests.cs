using Zenith.Core.Inserts;
using Zenith.Sync.Pipeline;

namespace Zenith.Sync.Tests.Pipeline;

/// <summary>The in-flight budget alone: the reader waits while two inserts' worth is unacknowledged, and goes on at the next acknowledgement.</summary>
public sealed class InFlightBudgetTests
{
    [Fact]
    public async Task The_reader_waits_for_an_acknowledgement_once_two_inserts_worth_is_in_flight()
    {
        using var budget = new InFlightBudget(new InsertCoalescing(MaxRows: 1_000, MaxBytes: 1_000_000));
        await budget.TakeAsync(1_000, 10, CancellationToken.None);
        await budget.TakeAsync(1_000, 10, CancellationToken.None);

        var third = budget.TakeAsync(1, 10, CancellationToken.None);
        Assert.False(third.IsCompleted);

        budget.Release(1_000, 20);
        await third.WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Bytes_count_as_the_buffers_change_and_a_cancelled_wait_ends()
    {
        using var budget = new InFlightBudget(new InsertCoalescing(MaxRows: 1_000_000, MaxBytes: 100));
        await budget.TakeAsync(1, 150, CancellationToken.None);
        budget.Resize(40);
        using var cancel = new CancellationTokenSource();
        var blocked = budget.TakeAsync(1, 20, cancel.Token);
        Assert.False(blocked.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);

        budget.Resize(-40);
        await budget.TakeAsync(1, 50, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
    }
}
