using System.Net;
using System.Net.Sockets;
using System.Text;
using Zenith.TestServers.Faults;

namespace Zenith.TestServers.Tests.Faults;

/// <summary>The fault-injecting proxy does what its faults say, against an echo server of the test's own.</summary>
public sealed class FaultProxyTests : IAsyncLifetime
{
    private readonly TcpListener echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private Task? serving;

    public Task InitializeAsync()
    {
        echo.Start();
        serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await echo.AcceptTcpClientAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var buffer = new byte[4096];
                        try
                        {
                            for (int n; (n = await client.GetStream().ReadAsync(buffer, stop.Token)) > 0;)
                            {
                                await client.GetStream().WriteAsync(buffer.AsMemory(0, n), stop.Token);
                            }
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                        {
                        }
                    }
                });
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        echo.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => serving!);
    }

    [Fact]
    public async Task Bytes_flow_until_a_hang_and_again_after_resume()
    {
        await using var proxy = new FaultProxy((IPEndPoint)echo.LocalEndpoint);
        using var client = await ConnectAsync(proxy);
        Assert.Equal("ping", await RoundTripAsync(client, "ping"));

        proxy.Hang();
        var pending = RoundTripAsync(client, "held");
        await Assert.ThrowsAsync<TimeoutException>(() => pending.WaitAsync(TimeSpan.FromMilliseconds(300)));
        proxy.Resume();
        Assert.Equal("held", await pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Dropped_replies_never_arrive_and_a_cut_resets_the_connection()
    {
        await using var proxy = new FaultProxy((IPEndPoint)echo.LocalEndpoint) { DropReplies = true };
        using var client = await ConnectAsync(proxy);
        var pending = RoundTripAsync(client, "lost");
        await Assert.ThrowsAsync<TimeoutException>(() => pending.WaitAsync(TimeSpan.FromMilliseconds(300)));

        proxy.CutAll();
        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_cut_after_n_server_bytes_lets_exactly_those_through()
    {
        await using var proxy = new FaultProxy((IPEndPoint)echo.LocalEndpoint);
        using var client = await ConnectAsync(proxy);
        proxy.CutAfterServerBytes(3);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("abcdef"));
        var received = new MemoryStream();
        var buffer = new byte[16];
        try
        {
            for (int n; (n = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0;)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // The reset that follows the allowed bytes.
        }

        Assert.Equal("abc", Encoding.ASCII.GetString(received.ToArray()));

    }

    private static async Task<TcpClient> ConnectAsync(FaultProxy proxy)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return client;
    }

    private static async Task<string> RoundTripAsync(TcpClient client, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await client.GetStream().WriteAsync(bytes);
        var buffer = new byte[bytes.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await client.GetStream().ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                throw new IOException("closed");
            }

            read += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
