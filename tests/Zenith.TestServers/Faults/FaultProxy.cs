using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Zenith.TestServers.Faults;

/// <summary>
/// A TCP proxy on loopback between a client (Zenith, a driver) and a test server, that injects the network's faults on demand:
/// latency, a hang (bytes stop flowing both ways, sockets stay open: a half-open connection or a stuck query), a reply that is
/// dropped (the server's bytes are swallowed), a cut after N bytes from the server, and cutting every connection now. This
/// machine has no netem or toxiproxy (see /work/shared/design/environment.md), so tests and the benchmark use this one.
/// Thread-safe; the faults apply to connections open now and to later ones.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<int, Connection> connections = new();
    private readonly Task accepting;
    private volatile TaskCompletionSource flowing = Open();
    private long serverBytes;
    private long cutAfter = long.MaxValue;
    private int nextId;

    /// <param name="target">The server's address, e.g. the test server's <c>host:port</c>.</param>
    public FaultProxy(IPEndPoint target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    public FaultProxy(string host, int port)
        : this(new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port))
    {
    }

    /// <summary>A proxy in front of the (first) host of a <c>mongodb://</c> or <c>http(s)://</c> URI.</summary>
    public static FaultProxy For(string uri)
    {
        var (host, port) = HostOf(uri);
        return new FaultProxy(host, port);
    }

    /// <summary>
    /// <paramref name="uri"/> with its host and port replaced by this proxy's (credentials and options kept); a MongoDB one gets
    /// <c>directConnection=true</c>, so the driver does not go round the proxy to the hosts a replica set names.
    /// </summary>
    public string Route(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var (host, port) = HostOf(uri);
        var routed = uri.Replace($"{host}:{port}", $"127.0.0.1:{Port}", StringComparison.Ordinal);
        if (!uri.StartsWith("mongodb", StringComparison.Ordinal) || uri.Contains("directConnection", StringComparison.OrdinalIgnoreCase))
        {
            return routed;
        }

        var query = routed.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? routed.TrimEnd('/') + "/?directConnection=true" : routed.Insert(query + 1, "directConnection=true&");
    }

    private static (string Host, int Port) HostOf(string uri)
    {
        var start = uri.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = uri.IndexOfAny(['/', '?'], start);
        var authority = uri[start..(end < 0 ? uri.Length : end)];
        var hostPort = authority[(authority.LastIndexOf('@') + 1)..].Split(',')[0];
        var colon = hostPort.LastIndexOf(':');
        return colon < 0
            ? (hostPort, uri.StartsWith("mongodb", StringComparison.Ordinal) ? 27017 : 8123)
            : (hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Where clients connect instead of the server.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Added before each chunk is forwarded, both ways; zero by default.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When true, the server's bytes are read and thrown away: requests arrive, replies never do.</summary>
    public bool DropReplies { get; set; }

    /// <summary>Bytes forwarded from the server so far, over every connection.</summary>
    public long ServerBytes => Interlocked.Read(ref serverBytes);

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref nextId);

    /// <summary>Stops every byte both ways until <see cref="Resume"/>; sockets stay open, as on a half-open connection.</summary>
    public void Hang()
    {
        if (flowing.Task.IsCompleted)
        {
            flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets bytes flow again after <see cref="Hang"/>.</summary>
    public void Resume() => flowing.TrySetResult();

    /// <summary>Cuts every connection once the server has sent <paramref name="bytes"/> more bytes (over all connections).</summary>
    public void CutAfterServerBytes(long bytes) => Interlocked.Exchange(ref cutAfter, ServerBytes + bytes);

    /// <summary>Closes every open connection now (both sides see a reset); new ones are accepted as before.</summary>
    public void CutAll()
    {
        foreach (var connection in connections.Values)
        {
            connection.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Resume();
        CutAll();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            var id = Interlocked.Increment(ref nextId);
            _ = Task.Run(() => ServeAsync(id, client), CancellationToken.None);
        }
    }

    private async Task ServeAsync(int id, TcpClient client)
    {
        var server = new TcpClient();
        var connection = new Connection(client, server);
        connections[id] = connection;
        try
        {
            await server.ConnectAsync(target, stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), fromServer: false), PumpAsync(server.GetStream(), client.GetStream(), fromServer: true));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            connections.TryRemove(id, out _);
            connection.Close();
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool fromServer)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            for (int n; (n = await from.ReadAsync(buffer, stop.Token)) > 0;)
            {
                await flowing.Task.WaitAsync(stop.Token);
                if (Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Latency, stop.Token);
                }

                if (fromServer)
                {
                    if (DropReplies)
                    {
                        continue;
                    }

                    var sent = Interlocked.Add(ref serverBytes, n);
                    var limit = Interlocked.Read(ref cutAfter);
                    if (sent > limit)
                    {
                        var allowed = (int)Math.Max(0, n - (sent - limit));
                        await to.WriteAsync(buffer.AsMemory(0, allowed), stop.Token);
                        Interlocked.Exchange(ref cutAfter, long.MaxValue);
                        CutAll();
                        return;
                    }
                }

                await to.WriteAsync(buffer.AsMemory(0, n), stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class Connection(TcpClient client, TcpClient server)
    {
        public void Close()
        {
            // A reset, not a graceful close: what a dead peer or a middlebox looks like.
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    if (socket.Client is { } open)
                    {
                        open.LingerState = new LingerOption(true, 0);
                    }

                    socket.Close();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
