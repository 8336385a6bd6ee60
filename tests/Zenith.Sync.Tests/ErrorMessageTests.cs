using System.Net;
using System.Net.Sockets;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Retries;
using ConnectionString = Zenith.Core.Connections.ConnectionString;

namespace Zenith.Sync.Tests;

/// <summary>
/// Every failure a person meets first, for each end: one short line naming the cause (host, port, user, name), the drivers' own
/// text only as the detail. The causes are real: a name the resolver does not know, a closed port, a port that accepts and never
/// answers, TLS to a server that speaks none, a wrong password, a missing collection, a missing permission.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ErrorMessageTests(Servers servers)
{
    private const string UnknownHost = "zenith-no-such-host.invalid";

    private static SyncEngine Engine(TimeSpan? check = null) =>
        new(new SyncEngineOptions { CheckTimeout = check ?? TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(3), Retry = RetryPolicy.None });

    private static void AssertOneShortLine(EndpointCheck check)
    {
        Assert.False(check.Ok, check.Message);
        Assert.True(check.Message.Length <= 120 && !check.Message.Contains('\n', StringComparison.Ordinal), check.Message);
        Assert.False(string.IsNullOrEmpty(check.Detail), $"the drivers' text is kept as the detail of: {check.Message}");
    }

    [Fact]
    public async Task A_mistyped_mongodb_host_says_the_name_was_not_found_with_the_drivers_text_as_detail()
    {
        var source = new SourceSpec($"mongodb://{UnknownHost}:27017,{UnknownHost.Replace("host", "host-b", StringComparison.Ordinal)}:27017/?replicaSet=rs0", "db", "events");
        var check = await Engine().TestSourceAsync(source, default);
        AssertOneShortLine(check);
        Assert.Equal($"MongoDB hosts {UnknownHost}, zenith-no-such-host-b.invalid not found (DNS lookup failed)", check.Message);
        Assert.Contains("MongoDB.Driver", check.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_mongodb_port_is_refused_and_a_silent_one_times_out_after_the_uris_own_server_selection_timeout()
    {
        var closed = FreePort();
        var refused = await Engine().TestSourceAsync(new SourceSpec($"mongodb://127.0.0.1:{closed}/?directConnection=true", "db", "events"), default);
        AssertOneShortLine(refused);
        Assert.Equal($"MongoDB at 127.0.0.1:{closed} refused the connection", refused.Message);

        using var silent = SilentServer.Start();
        var uriTimeout = await Engine().TestSourceAsync(
            new SourceSpec($"mongodb://127.0.0.1:{silent.Port}/?directConnection=true&serverSelectionTimeoutMS=1500", "db", "events"), default);
        AssertOneShortLine(uriTimeout);
        Assert.Equal($"MongoDB at 127.0.0.1:{silent.Port} did not answer within 1.5 s", uriTimeout.Message);

        // Without the option a check waits the engine's short check timeout, not the run's connect timeout.
        var defaultTimeout = await Engine(check: TimeSpan.FromSeconds(2)).TestSourceAsync(
            new SourceSpec($"mongodb://127.0.0.1:{silent.Port}/?directConnection=true", "db", "events"), default);
        Assert.Equal($"MongoDB at 127.0.0.1:{silent.Port} did not answer within 2 s", defaultTimeout.Message);
    }

    [Fact]
    public async Task Tls_to_a_port_without_tls_says_the_handshake_failed()
    {
        // A server that answers a TLS hello in plain text and hangs up: ClickHouse's HTTP port does.
        var http = new Uri(ConnectionString.Parse(servers.ClickHouse.Url).Masked);
        var hostPort = $"{http.Host}:{http.Port}";
        var check = await Engine(check: TimeSpan.FromSeconds(3)).TestSourceAsync(
            new SourceSpec($"mongodb://{hostPort}/?directConnection=true&tls=true&tlsInsecure=true", "db", "events"), default);
        AssertOneShortLine(check);
        Assert.Equal($"MongoDB at {hostPort}: TLS handshake failed (does the server speak TLS on this port?)", check.Message);
    }

    [Fact]
    public async Task A_wrong_mongodb_password_names_the_user_and_never_the_password()
    {
        var hostPort = ConnectionString.Parse(servers.Mongo.ConnectionString).HostList.Split(',')[0];
        var check = await Engine().TestSourceAsync(new SourceSpec($"mongodb://zenith_user:n0t-the-password@{hostPort}/?directConnection=true&authSource=admin", "db", "events"), default);
        AssertOneShortLine(check);
        Assert.Equal($"MongoDB at {hostPort}: authentication failed for user 'zenith_user'", check.Message);
        Assert.DoesNotContain("n0t-the-password", check.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_database_and_a_missing_collection_are_told_apart()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        try
        {
            var noDatabase = await Engine().TestSourceAsync(connector.Source, default);
            Assert.Equal($"database {connector.Source.Database} does not exist (it has no collections; names are case-sensitive)", noDatabase.Message);

            await servers.Collection(connector).InsertOneAsync(new BsonDocument("_id", 1));
            var noCollection = await Engine().TestSourceAsync(connector.Source with { Collection = "Events" }, default);
            Assert.Equal($"collection {connector.Source.Database}.Events does not exist (names are case-sensitive)", noCollection.Message);

            // A run fails the same way rather than read nothing: in full mode it would have swapped in an empty table.
            var run = await Engine().RunAsync(connector with { Mode = SyncMode.Full, Source = connector.Source with { Collection = "Events" } }, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.Equal(SyncOutcome.Failed, run.Outcome);
            Assert.Equal(noCollection.Message, run.Error);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.tables WHERE database = '{connector.Destination.Database}' AND name LIKE 'events%'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_user_without_permission_to_read_is_told_so_in_the_test_and_in_the_run()
    {
        var app = "zenith-denied-" + Guid.NewGuid().ToString("N")[..8];
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var uri = servers.Mongo.ConnectionString + (servers.Mongo.ConnectionString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "appName=" + app;
        connector = connector with { Source = connector.Source with { Uri = uri } };
        try
        {
            await servers.Collection(connector).InsertOneAsync(new BsonDocument("_id", 1));
            await FailCommandAsync(app, 13, "listCollections", "find");
            var hosts = ConnectionString.Parse(uri).HostList;
            var check = await Engine().TestSourceAsync(connector.Source, default);
            AssertOneShortLine(check);
            Assert.Equal($"MongoDB at {hosts}: not authorized to read {connector.Source.Database}.events (no user in the URI)", check.Message);

            var run = await Engine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.Equal(SyncOutcome.Failed, run.Outcome);
            Assert.Equal(check.Message, run.Error);
            Assert.Contains("MongoDB.Driver.MongoCommandException", run.ErrorDetail!, StringComparison.Ordinal);
        }
        finally
        {
            await FailCommandAsync(null, 0);
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_mistyped_closed_silent_or_tls_clickhouse_gives_one_line_each()
    {
        var engine = Engine(check: TimeSpan.FromSeconds(1.5));
        var unknown = await engine.TestDestinationAsync(new DestinationSpec($"http://default:s3cret@{UnknownHost}:8123", "db", "t"), default);
        AssertOneShortLine(unknown);
        Assert.Equal($"ClickHouse host {UnknownHost} not found (DNS lookup failed)", unknown.Message);
        Assert.DoesNotContain("s3cret", unknown.Detail!, StringComparison.Ordinal);

        var closed = FreePort();
        var refused = await engine.TestDestinationAsync(new DestinationSpec($"http://127.0.0.1:{closed}", "db", "t"), default);
        AssertOneShortLine(refused);
        Assert.Equal($"ClickHouse at 127.0.0.1:{closed} refused the connection", refused.Message);

        using var silent = SilentServer.Start();
        var timeout = await engine.TestDestinationAsync(new DestinationSpec($"http://127.0.0.1:{silent.Port}", "db", "t"), default);
        Assert.Equal($"ClickHouse at 127.0.0.1:{silent.Port} did not answer within 1.5 s", timeout.Message);

        var http = new Uri(ConnectionString.Parse(servers.ClickHouse.Url).Masked);
        var tls = await engine.TestDestinationAsync(new DestinationSpec($"https://{http.Host}:{http.Port}", "db", "t"), default);
        AssertOneShortLine(tls);
        Assert.Equal($"ClickHouse at {http.Host}:{http.Port}: TLS handshake failed (does the server speak TLS on this port?)", tls.Message);
    }

    [Fact]
    public async Task A_missing_clickhouse_database_is_no_failure_of_the_test_the_first_run_creates_it()
    {
        var database = "zs_" + Guid.NewGuid().ToString("N");
        var check = await Engine().TestDestinationAsync(new DestinationSpec(servers.ClickHouse.Url, database, "t"), default);
        Assert.True(check.Ok, check.Message);
        Assert.EndsWith($"database {database} does not exist yet (the first run creates it)", check.Message, StringComparison.Ordinal);
    }

    private Task FailCommandAsync(string? appName, int code, params string[] commands) =>
        servers.Mongo.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", appName is null ? "off" : "alwaysOn" },
            { "data", appName is null ? [] : new BsonDocument { { "failCommands", new BsonArray(commands) }, { "errorCode", code }, { "appName", appName } } },
        });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port that accepts connections and never says a word: a server that hangs, or a firewall that swallows.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly List<TcpClient> accepted = [];
        private readonly CancellationTokenSource stop = new();

        private SilentServer(TcpListener listener)
        {
            this.listener = listener;
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public static SilentServer Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new SilentServer(listener);
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            lock (accepted)
            {
                accepted.ForEach(c => c.Dispose());
            }

            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await listener.AcceptTcpClientAsync(stop.Token);
                    lock (accepted)
                    {
                        accepted.Add(client);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped.
            }
        }
    }
}
