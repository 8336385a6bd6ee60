using Zenith.Core.Inserts;

namespace Zenith.Core.Tests;

/// <summary>The insert-coalescing decisions alone, as the insert stage and the in-flight budget ask them.</summary>
public sealed class InsertCoalescingTests
{
    private readonly InsertCoalescing limits = new(MaxRows: 3_000, MaxBytes: 1_000_000);

    [Fact]
    public void Batches_of_100_rows_fill_an_insert_of_3000_and_the_next_one_starts_after()
    {
        var pending = default(PendingInsert);
        var inserts = new List<long>();
        for (var batch = 0; batch < 70; batch++)
        {
            if (limits.SendBefore(pending, 100, 1_000, sameSchema: true))
            {
                inserts.Add(pending.Rows);
                pending = default;
            }

            pending = pending.Add(100, 1_000);
            if (limits.IsFull(pending))
            {
                inserts.Add(pending.Rows);
                pending = default;
            }
        }

        Assert.Equal([3_000, 3_000], inserts);
        Assert.Equal(new PendingInsert(10, 1_000, 10_000), pending);
        Assert.True(InsertCoalescing.SendWhenIdle(pending));
        Assert.False(InsertCoalescing.SendWhenIdle(default));
    }

    [Fact]
    public void A_batch_is_never_split_and_never_joins_rows_of_another_schema()
    {
        Assert.False(limits.SendBefore(default, 50_000, 5_000_000, sameSchema: true));
        Assert.True(limits.IsFull(new PendingInsert(1, 50_000, 5_000_000)));
        Assert.True(limits.SendBefore(new PendingInsert(1, 10, 100), 10, 100, sameSchema: false));
        Assert.True(limits.SendBefore(new PendingInsert(1, 2_950, 100), 100, 100, sameSchema: true));
        Assert.True(limits.SendBefore(new PendingInsert(1, 10, 999_000), 10, 2_000, sameSchema: true));
        Assert.False(limits.SendBefore(new PendingInsert(1, 2_900, 998_000), 100, 2_000, sameSchema: true));
    }

    [Fact]
    public void A_group_of_only_failed_documents_is_still_sent_so_its_failures_and_checkpoint_are_committed() =>
        Assert.True(InsertCoalescing.SendWhenIdle(new PendingInsert(1, 0, 0)));

    [Fact]
    public void The_reader_holds_up_to_two_inserts_worth_and_always_one_batch()
    {
        Assert.True(limits.ReaderMayTake(0, 0, 1_000_000, long.MaxValue));
        Assert.True(limits.ReaderMayTake(5_000, 1_000, 1_000, 1_000));
        Assert.False(limits.ReaderMayTake(5_001, 1_000, 1_000, 1_000));
        Assert.False(limits.ReaderMayTake(100, 1_999_000, 100, 1_001));
        Assert.True(new InsertCoalescing(0, 0).ReaderMayTake(1, 1, 1, 1));
    }
}
