using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Zenith.Bench.Harness;

/// <summary>
/// A remote MongoDB on loopback (issue 15, item 6): a TCP proxy in front of the test server that holds every chunk of bytes it
/// forwards, in each direction, for half the round trip before passing it on, in order — a delay line like netem's, which this
/// machine's kernel does not have (<c>tc qdisc … netem</c>: "Specified qdisc kind is unknown"). Throughput is not limited: chunks
/// stream through one after another, each late by the same amount. Its own cost (a copy per chunk in the harness's process) is
/// measured apart by running it with no delay.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly TcpListener listener;
    private readonly IPEndPoint target;
    private readonly TimeSpan oneWay;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    private LatencyProxy(IPEndPoint target, TimeSpan oneWay)
    {
        this.target = target;
        this.oneWay = oneWay;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        accepting = AcceptAsync(stopping.Token);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The round trip it adds (twice the one-way delay).</summary>
    public TimeSpan RoundTrip => oneWay * 2;

    /// <summary>A proxy to <paramref name="uri"/>'s host and port (a <c>mongodb://host:port/</c> address), and the same address through it.</summary>
    public static (LatencyProxy Proxy, string Uri) Start(string uri, TimeSpan roundTrip)
    {
        var parsed = new Uri(uri);
        var proxy = new LatencyProxy(new IPEndPoint(IPAddress.Parse(parsed.Host), parsed.Port), roundTrip / 2);
        // directConnection: a replica set member's hello names its own address, which a driver would otherwise go to, around the proxy.
        var query = parsed.Query.TrimStart('?');
        return (proxy, new UriBuilder(parsed) { Port = proxy.Port, Query = (query.Length > 0 ? query + "&" : "") + "directConnection=true" }.Uri.ToString());
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(target, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        // Blocking sockets on threads of their own: a timer-driven Task.Delay(1 ms) comes back after 4–8 ms on a loaded machine,
        // Thread.Sleep after about 1.1 ms.
        var up = Pump(client, upstream);
        var down = Pump(upstream, client);
        await Task.Run(() => { up.Join(); down.Join(); }, CancellationToken.None).ConfigureAwait(false);
        client.Dispose();
        upstream.Dispose();
    }

    /// <summary>Reads chunks from <paramref name="from"/> and writes each to <paramref name="to"/> once it is <see cref="oneWay"/> old.</summary>
    private Thread Pump(Socket from, Socket to)
    {
        var line = new BlockingCollection<(byte[] Buffer, int Length, long Due)>(1024);
        var delayTicks = (long)(oneWay.TotalSeconds * Stopwatch.Frequency);
        var writer = new Thread(() =>
        {
            try
            {
                foreach (var (buffer, length, due) in line.GetConsumingEnumerable())
                {
                    var remaining = due - Stopwatch.GetTimestamp();
                    if (remaining > 0)
                        Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency)));
                    to.Send(buffer.AsSpan(0, length));
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // the other side closed: this one's connection ends too, as on a network
            }
        }) { IsBackground = true, Name = "latency proxy writer" };
        var reader = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                    var read = from.Receive(buffer);
                    if (read == 0)
                        break;
                    line.Add((buffer, read, Stopwatch.GetTimestamp() + delayTicks));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // likewise
            }
            finally
            {
                line.CompleteAdding();
                writer.Join();
            }
        }) { IsBackground = true, Name = "latency proxy reader" };
        writer.Start();
        reader.Start();
        return reader;
    }

    /// <summary>The round trip as a client sees it through the proxy: the median of 20 MongoDB pings.</summary>
    public static async Task<TimeSpan> MeasureRoundTripAsync(string uri, CancellationToken ct)
    {
        using var client = new MongoDB.Driver.MongoClient(uri);
        var admin = client.GetDatabase("admin");
        var ping = new MongoDB.Bson.BsonDocument("ping", 1);
        await admin.RunCommandAsync<MongoDB.Bson.BsonDocument>(ping, cancellationToken: ct).ConfigureAwait(false);
        var times = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await admin.RunCommandAsync<MongoDB.Bson.BsonDocument>(ping, cancellationToken: ct).ConfigureAwait(false);
            times.Add(Stopwatch.GetElapsedTime(started));
        }
        times.Sort();
        return times[times.Count / 2];
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await accepting.ConfigureAwait(false);
        stopping.Dispose();
    }
}
