using System.Diagnostics;
using System.Globalization;

namespace Zenith.Bench.Harness;

/// <summary>Whose CPU time a contestant's runs cost, and how to read it (user + system time so far, in clock ticks).</summary>
/// <param name="Whose">Said in the report, e.g. "the Zenith service process".</param>
internal sealed record CpuProbe(string Whose, Func<long> Ticks);

/// <summary>What one measured run cost in CPU seconds (user + system), each a delta over that run only.</summary>
/// <param name="WindowSeconds">The wall time between the two readings (the harness's view of the run, a little longer than the run's own time).</param>
/// <param name="Contestant">The contestant's own processes (<see cref="CpuProbe"/>).</param>
/// <param name="MongoServer">The MongoDB test server process during the run.</param>
/// <param name="ClickHouseServer">The ClickHouse test server process during the run.</param>
/// <param name="Harness">This process (<c>/proc/self</c>) during the run.</param>
internal sealed record RunCpu(double WindowSeconds, double Contestant, double MongoServer, double ClickHouseServer, double Harness);

/// <summary>
/// Reads user + system time from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, in clock ticks of <c>getconf CLK_TCK</c>) before
/// and after a run, for the contestant's processes and for both test servers and the harness beside them, so a report says
/// where the cores went.
/// </summary>
internal sealed class CpuMeter(int mongoServerPid, int clickHouseServerPid)
{
    public async Task<(T Result, RunCpu Cpu)> MeasureAsync<T>(CpuProbe contestant, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(contestant);
        ArgumentNullException.ThrowIfNull(run);
        var (c, m, k, h) = (contestant.Ticks(), ProcCpu.ProcessTicks(mongoServerPid), ProcCpu.ProcessTicks(clickHouseServerPid), ProcCpu.SelfTicks());
        var started = Stopwatch.GetTimestamp();
        var result = await run().ConfigureAwait(false);
        var window = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (result, new RunCpu(
            window,
            ProcCpu.Seconds(contestant.Ticks() - c),
            ProcCpu.Seconds(ProcCpu.ProcessTicks(mongoServerPid) - m),
            ProcCpu.Seconds(ProcCpu.ProcessTicks(clickHouseServerPid) - k),
            ProcCpu.Seconds(ProcCpu.SelfTicks() - h)));
    }
}

/// <summary>CPU time from <c>/proc</c>: a process's utime + stime, this process's, and that of the children this process has reaped.</summary>
internal static class ProcCpu
{
    /// <summary>Clock ticks per second of the stat fields (<c>getconf CLK_TCK</c>; 100 on Linux unless told otherwise).</summary>
    public static readonly double TicksPerSecond = ReadClockTicks();

    public static double Seconds(long ticks) => ticks / TicksPerSecond;

    /// <summary>User + system ticks of process <paramref name="pid"/> (all its threads) so far.</summary>
    public static long ProcessTicks(int pid) => Fields($"/proc/{pid}/stat", 14, 15);

    /// <summary>User + system ticks of this process so far.</summary>
    public static long SelfTicks() => Fields("/proc/self/stat", 14, 15);

    /// <summary>
    /// User + system ticks of this process's children that have exited and been reaped (cutime + cstime), theirs and their own
    /// reaped children's: a short-lived child's CPU, read after it exited (its <c>/proc/&lt;pid&gt;</c> is gone by then).
    /// </summary>
    public static long ReapedChildrenTicks() => Fields("/proc/self/stat", 16, 17);

    // Fields are numbered from 1 as in proc(5): 14 utime, 15 stime, 16 cutime, 17 cstime. The command name (field 2) is in
    // parentheses and may hold spaces, so the split starts after its closing parenthesis, at field 3.
    private static long Fields(string path, int first, int second)
    {
        var stat = File.ReadAllText(path);
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(rest[first - 3], CultureInfo.InvariantCulture) + long.Parse(rest[second - 3], CultureInfo.InvariantCulture);
    }

    private static double ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit();
                if (getconf.ExitCode == 0 && double.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                    return ticks;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getconf: Linux's USER_HZ, which the stat fields use whatever the kernel's own tick rate.
        }
        return 100;
    }
}
