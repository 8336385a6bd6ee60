using System.Net;
using System.Net.Sockets;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo;

/// <summary>
/// An in-memory MongoDB wire-protocol server on 127.0.0.1 that the unmodified MongoDB drivers
/// talk to: enough of mongod (7.0, wire version 21) for tests and benchmarks, presented as the primary
/// of a one-node replica set (sessions, transactions, change streams). One task per connection.
/// </summary>
public sealed class MongoTestServer : IDisposable, IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CommandDispatcher _dispatcher;
    private readonly ITimer _housekeeping;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private int _nextConnectionId;

    private MongoTestServer(TcpListener listener, MongoTestServerOptions options)
    {
        _listener = listener;
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        Port = endpoint.Port;
        ConnectionString = $"mongodb://127.0.0.1:{Port}/";
        ReplicaSetConnectionString = $"mongodb://127.0.0.1:{Port}/?replicaSet={Uri.EscapeDataString(options.ReplicaSetName)}";
        var server = new ServerContext(options, Port);
        _dispatcher = new CommandDispatcher(server);
        _housekeeping = options.TimeProvider.CreateTimer(_ => server.Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary><c>mongodb://127.0.0.1:PORT/</c>; the server has no authentication. Drivers discover the replica set from it.</summary>
    public string ConnectionString { get; }

    /// <summary>The same with <c>?replicaSet=NAME</c>, as applications name a replica set.</summary>
    public string ReplicaSetConnectionString { get; }

    /// <summary>Starts listening on 127.0.0.1; port 0 picks a free port.</summary>
    public static MongoTestServer Start(int port = 0, MongoTestServerOptions? options = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(backlog: 512);
        return new MongoTestServer(listener, options ?? new MongoTestServerOptions());
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
        await _housekeeping.DisposeAsync();
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
