using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>
/// A TCP listener on loopback that records every byte it receives, from every connection, and optionally answers each request
/// with a fixed HTTP response: where a test points Zenith to see what it would send to a stranger (a password must never
/// arrive) and what it would repeat of a stranger's answer (a body that is not a ClickHouse error must never come back).
/// </summary>
public sealed class RecordingListener : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly StringBuilder received = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly byte[]? answer;
    private int connections;

    /// <param name="httpStatus">Answer each request with this status and <paramref name="body"/>; null: answer nothing, keep reading.</param>
    public RecordingListener(int? httpStatus = null, string body = "")
    {
        if (httpStatus is { } status)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Whatever\r\nContent-Type: text/html\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n")
                .Concat(bytes).ToArray();
        }

        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>How many connections reached it.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Everything received so far, as Latin-1 text (bytes survive whole).</summary>
    public string Received
    {
        get
        {
            lock (received)
            {
                return received.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptTcpClientAsync(stop.Token);
            Interlocked.Increment(ref connections);
            _ = Task.Run(() => ServeAsync(socket), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient socket)
    {
        using (socket)
        {
            var stream = socket.GetStream();
            var buffer = new byte[8192];
            var request = new StringBuilder();
            try
            {
                for (int n; (n = await stream.ReadAsync(buffer, stop.Token)) > 0;)
                {
                    var text = Encoding.Latin1.GetString(buffer, 0, n);
                    request.Append(text);
                    lock (received)
                    {
                        received.Append(text);
                    }

                    if (answer is not null && request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        await stream.WriteAsync(answer, stop.Token);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }
}
