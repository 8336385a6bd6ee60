using System.Net.Sockets;

namespace Zenith.Sync;

/// <summary>What the adapters' error messages share.</summary>
internal static class Failures
{
    /// <summary>Whether the connection was refused (nothing listens there), as opposed to unreachable.</summary>
    public static bool Refused(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused } || e.Message.Contains("refused", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Server messages can quote the statement; keep the first line and cap it (no row contents).</summary>
    public static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0];
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
