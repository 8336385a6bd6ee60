using System.Net;
using System.Net.Sockets;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// Ports free on 127.0.0.1 right now: each bound to port 0 (the kernel picks) and released. Another process may
/// take one before the server binds it, so a server that cannot listen is started again on new ports.
/// </summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            // All held at once, so the ports differ from one another.
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }
}
