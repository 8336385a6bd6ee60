using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Zenith.Service.Metadata;

namespace Zenith.Service.Runs;

/// <summary>
/// Who holds a lease, as its holder text says it (<c>pid 4242 on host (ns 4026531836, 3f2a9c01)</c>: the process, its machine,
/// on Linux its pid namespace, a random part for two holders in one process), and whether that holder is a process of this
/// machine that no longer runs: a service or CLI that was killed, whose lease need not be waited out. Every doubt (another
/// machine, another pid namespace — containers sharing the SQLite volume can share a host name —, a text of another shape, a
/// process that cannot be inspected) counts as alive: the lease is then waited out, which only ever costs time.
/// </summary>
internal static partial class LeaseHolders
{
    /// <summary>This process's pid namespace on Linux (its pids mean nothing in another); empty where there are none.</summary>
    private static readonly Lazy<string> Namespace = new(ReadNamespace);

    public static string ThisProcess() => Format(Environment.ProcessId, Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The holder text of process <paramref name="pid"/> of this machine and pid namespace.</summary>
    public static string Format(int pid, string tag) => Namespace.Value.Length == 0
        ? string.Create(CultureInfo.InvariantCulture, $"pid {pid} on {Environment.MachineName} ({tag})")
        : string.Create(CultureInfo.InvariantCulture, $"pid {pid} on {Environment.MachineName} (ns {Namespace.Value}, {tag})");

    /// <summary>
    /// Takes the connector's lease for <paramref name="holder"/> (a run, a reset); a holder that is an ended process of this
    /// machine loses it first. Null when taken, else who holds it.
    /// </summary>
    public static async Task<LeaseHolder?> TakeOverDeadAsync(LeaseStore store, long connectorId, string holder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var other = await store.TryAcquireAsync(connectorId, holder, cancellationToken);
        if (other is not null && IsDeadHere(other.Holder) && await store.BreakAsync(connectorId, other.Holder, cancellationToken))
        {
            other = await store.TryAcquireAsync(connectorId, holder, cancellationToken);
        }

        return other;
    }

    public static bool IsDeadHere(string holder)
    {
        var match = Holder().Match(holder);
        if ((OperatingSystem.IsLinux() && Namespace.Value.Length == 0)
            || !match.Success
            || !string.Equals(match.Groups["machine"].Value, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || match.Groups["ns"].Value != Namespace.Value)
        {
            return false;
        }

        var pid = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
        if (pid == Environment.ProcessId)
        {
            // This process holds it (another holder of this process): alive.
            return false;
        }

        // A pid reused since by another process looks alive: the lease is then waited out, as before.
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static string ReadNamespace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "";
        }

        // The link reads "pid:[4026531836]"; its inode number names the namespace. Unreadable (no /proc): no holder is judged.
        try
        {
            var target = new FileInfo("/proc/self/ns/pid").LinkTarget;
            return target is null ? "" : new string([.. target.Where(char.IsAsciiDigit)]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [GeneratedRegex(@"^pid (?<pid>\d+) on (?<machine>.+) \((?:ns (?<ns>\d+), )?[0-9a-f]+\)$")]
    private static partial Regex Holder();
}
