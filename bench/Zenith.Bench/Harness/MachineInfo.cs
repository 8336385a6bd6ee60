using System.Runtime;
using System.Runtime.InteropServices;

namespace Zenith.Bench.Harness;

/// <summary>What the figures were measured on; written into every result file.</summary>
internal sealed record MachineInfo(
    int Cores,
    string CpuModel,
    double MemoryGiB,
    string Os,
    string Dotnet,
    string GcMode,
    string Node,
    string ClickHouse,
    string GitCommit)
{
    public static async Task<MachineInfo> CollectAsync(string clickHouseVersion, CancellationToken ct)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memKb = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]
            : null;
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu ?? RuntimeInformation.ProcessArchitecture.ToString(),
            memKb is null ? 0 : Math.Round(long.Parse(memKb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0, 1),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC ? "server" : "workstation" + (GCSettings.LatencyMode == GCLatencyMode.Interactive ? " (concurrent)" : ""),
            await TryAsync("node", ["--version"], ct).ConfigureAwait(false),
            clickHouseVersion,
            await TryAsync("git", ["-C", RepoPaths.Root, "rev-parse", "--short", "HEAD"], ct).ConfigureAwait(false));
    }

    private static async Task<string> TryAsync(string file, string[] arguments, CancellationToken ct)
    {
        try
        {
            var (stdout, _) = await Contestants.ChildProcess.RunAsync(file, arguments, RepoPaths.Root, ct).ConfigureAwait(false);
            return stdout.Trim();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
