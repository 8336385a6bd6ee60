using System.Globalization;
using System.Runtime.InteropServices;

namespace Zenith.TestServers.ClickHouse.Engine;

/// <summary>
/// Ends the connections clients hold to this process's listeners. ClickHouse's shutdown waits up to
/// <c>shutdown_wait_unfinished</c> (5 s) for every open connection, idle keep-alive ones included (clients' pools
/// keep them for 30 s), and then ends the process with exit code 1 from inside the engine, before this process can
/// remove its directory. Shutting those sockets down first lets the engine stop at once and cleanly.
/// </summary>
internal static class AcceptedConnections
{
    private const int ShutdownReadWrite = 2; // SHUT_RDWR
    private const string Listening = "0A"; // TCP_LISTEN in /proc/net/tcp

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Shutdown(int socket, int how);

    /// <summary>Shuts down every socket of this process accepted on one of <paramref name="ports"/>; returns how many.</summary>
    public static int ShutDown(IReadOnlyCollection<int> ports)
    {
        var accepted = AcceptedSocketInodes(ports);
        if (accepted.Count == 0)
            return 0;
        var shutdown = Marshal.GetDelegateForFunctionPointer<Shutdown>(NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "shutdown"));
        var count = 0;
        foreach (var fd in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            // Each descriptor is a link such as socket:[123456].
            var target = fd.LinkTarget;
            if (target is null || !target.StartsWith("socket:[", StringComparison.Ordinal) || !int.TryParse(fd.Name, out var descriptor))
                continue;
            if (accepted.Contains(target["socket:[".Length..^1]) && shutdown(descriptor, ShutdownReadWrite) == 0)
                count++;
        }
        return count;
    }

    // /proc/net/tcp{,6}: "sl local_address rem_address st … inode", addresses as hex IP:port.
    private static HashSet<string> AcceptedSocketInodes(IReadOnlyCollection<int> ports)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/self/net/tcp", "/proc/self/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] == Listening)
                    continue;
                var local = fields[1];
                var port = int.Parse(local.AsSpan(local.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (ports.Contains(port))
                    inodes.Add(fields[9]);
            }
        }
        return inodes;
    }
}
