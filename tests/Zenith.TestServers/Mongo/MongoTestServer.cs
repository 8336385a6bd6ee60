using System.Net;
using System.Net.Sockets;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo;

/// <summary>
/// An in-memory MongoDB wire-protocol server on 127.0.0.1 that the unmodified MongoDB drivers
/// talk to: enough of mongod (7.0, wire version 21) for tests and benchmarks. One task per connection.
/// </summary>
public sealed class MongoTestServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CommandDispatcher _dispatcher;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private int _nextConnectionId;

    private MongoTestServer(TcpListener listener)
    {
        _listener = listener;
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        Port = endpoint.Port;
        ConnectionString = $"mongodb://127.0.0.1:{Port}/";
        _dispatcher = new CommandDispatcher(new MongoStore(), Port);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary><c>mongodb://127.0.0.1:PORT/</c>; the server has no authentication.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts listening on 127.0.0.1; port 0 picks a free port.</summary>
    public static MongoTestServer Start(int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(backlog: 512);
        return new MongoTestServer(listener);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var connection = new WireConnection(socket, _dispatcher, Interlocked.Increment(ref _nextConnectionId));
            var task = Task.Run(() => connection.RunAsync(_stopping.Token));
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync();
        _listener.Stop();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll([_acceptLoop, .. connections]);
        _stopping.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
