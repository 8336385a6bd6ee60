using System.Diagnostics;
using Zenith.Service.Runs;

namespace Zenith.Service.Tests.Scheduling;

/// <summary>A lease is broken before it expires only when its holder is surely a process of this machine that has ended.</summary>
public sealed class LeaseHoldersTests
{
    [Fact]
    public async Task A_holder_of_this_machine_whose_process_ended_is_dead()
    {
        using var gone = Process.Start("true")!;
        await gone.WaitForExitAsync();
        Assert.True(LeaseHolders.IsDeadHere(LeaseHolders.Format(gone.Id, "deadbeef")));
    }

    [Fact]
    public async Task A_holder_whose_process_still_runs_is_alive()
    {
        using var alive = Process.Start("sleep", "60")!;
        try
        {
            Assert.False(LeaseHolders.IsDeadHere(LeaseHolders.Format(alive.Id, "cafe0001")));
            Assert.False(LeaseHolders.IsDeadHere(LeaseHolders.Format(Environment.ProcessId, "cafe0002")));
        }
        finally
        {
            alive.Kill();
            await alive.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_holder_of_another_machine_or_pid_namespace_or_of_another_shape_is_never_judged_dead()
    {
        using var gone = Process.Start("true")!;
        await gone.WaitForExitAsync();
        var here = LeaseHolders.Format(gone.Id, "deadbeef");
        Assert.False(LeaseHolders.IsDeadHere(here.Replace($" on {Environment.MachineName} ", " on elsewhere ", StringComparison.Ordinal)));
        Assert.False(LeaseHolders.IsDeadHere($"pid {gone.Id} on {Environment.MachineName} (ns 1, deadbeef)"));
        Assert.False(LeaseHolders.IsDeadHere($"a reset by pid {gone.Id}"));
    }
}
