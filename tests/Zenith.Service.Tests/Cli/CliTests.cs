using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Cli;

/// <summary>The command line of the same binary, on the SQLite file of zenith.json and against a running service.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class CliTests(ServiceServers servers)
{
    [Fact]
    public async Task Migrate_creates_the_file_once()
    {
        using var directory = new TempDirectory();
        var first = await ZenithProcess.RunAsync(directory.Path, null, "migrate");
        Assert.Equal(0, first.Exit);
        Assert.Equal(new[] { $"Applied migrations {string.Join(", ", Zenith.Service.Metadata.Migrations.Versions)}." }, first.Stdout);
        Assert.True(File.Exists(Path.Combine(directory.Path, "zenith_metadata.db")), "the PRD's default path, beside zenith.json");
        var again = await ZenithProcess.RunAsync(directory.Path, null, "migrate");
        Assert.Equal(0, again.Exit);
        Assert.Equal(new[] { "The metadata database is up to date." }, again.Stdout);
    }

    [Fact]
    public async Task Connectors_are_added_listed_synced_and_removed_on_the_sqlite_file()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var mongoDb = servers.Mongo.NewDatabaseName("cli");
        await Seed.InsertAsync(servers, mongoDb, "events", 120);
        var env = new Dictionary<string, string> { ["ZENITH_metadata_storage__path"] = Path.Combine(directory, "data", "meta.db") };
        string[] Add(string name, string mode = "incremental_id") =>
            ["connectors", "add", "--name", name, "--source-uri", servers.Mongo.ConnectionString, "--source-database", mongoDb, "--collection", "events",
             "--dest-uri", servers.ClickHouseUri, "--dest-database", servers.NewClickHouseDatabase("cli"), "--mode", mode];

        var added = await ZenithProcess.RunAsync(directory, env, Add("events"));
        Assert.Equal(0, added.Exit);
        var line = Assert.Single(added.Stdout);
        Assert.StartsWith("Added connector events (id 1)", line, StringComparison.Ordinal);
        if (servers.Password is { } password)
        {
            Assert.DoesNotContain(password, line, StringComparison.Ordinal);
        }

        var duplicate = await ZenithProcess.RunAsync(directory, env, Add("EVENTS"));
        Assert.Equal(1, duplicate.Exit);
        Assert.Equal(new[] { "zenith: A connector named \"EVENTS\" already exists." }, duplicate.Stderr);
        var badMode = await ZenithProcess.RunAsync(directory, env, Add("x", "sometimes"));
        Assert.Equal(1, badMode.Exit);
        Assert.StartsWith("zenith: Argument 'sometimes' not recognized", Assert.Single(badMode.Stderr), StringComparison.Ordinal);
        var badRule = await ZenithProcess.RunAsync(directory, env, [.. Add("x"), "--rule", "sometimes:url"]);
        Assert.Equal(1, badRule.Exit);
        Assert.StartsWith("zenith: --rule must look like ACTION:PATH[=VALUE]", Assert.Single(badRule.Stderr), StringComparison.Ordinal);
        var badType = await ZenithProcess.RunAsync(directory, env, [.. Add("x"), "--rule", "type:url=Money"]);
        Assert.Equal(1, badType.Exit);
        Assert.Contains("mapping.rules[0]: The type of url must be one of String", Assert.Single(badType.Stderr), StringComparison.Ordinal);
        // Neither refused add stored a connector: the name is still free, and a valid rule is taken.
        var ruled = await ZenithProcess.RunAsync(directory, env, [.. Add("x"), "--rule", "exclude:url"]);
        Assert.Equal(0, ruled.Exit);
        Assert.StartsWith("Added connector x (id 2)", Assert.Single(ruled.Stdout), StringComparison.Ordinal);

        var sync = await ZenithProcess.RunAsync(directory, env, "sync", "events");
        Assert.Equal(0, sync.Exit);
        Assert.Matches(@"^Run \d+ succeeded: 120 read, 120 written, 0 failed, 1 batches in \d+ ms$", Assert.Single(sync.Stdout));

        var status = await ZenithProcess.RunAsync(directory, env, "status");
        Assert.Equal(0, status.Exit);
        Assert.Matches(@"^events\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+succeeded 120 rows written$", status.Stdout[1]);

        var reset = await ZenithProcess.RunAsync(directory, env, "reset", "events");
        Assert.Equal(0, reset.Exit);
        Assert.StartsWith("Checkpoint reset by request: the next run starts from the beginning into ", Assert.Single(reset.Stdout), StringComparison.Ordinal);
        var resync = await ZenithProcess.RunAsync(directory, env, "resync", "events");
        Assert.Equal(0, resync.Exit);
        Assert.Matches(@"^Run \d+ succeeded: 120 read, 120 written, 0 failed, 1 batches in \d+ ms$", Assert.Single(resync.Stdout));

        // Another process (the service, say) runs it: the CLI's run does not start, and says why.
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "data", "meta.db")}"))
        {
            await db.OpenAsync();
            using var hold = db.CreateCommand();
            hold.CommandText = $"INSERT INTO leases (connector_id, holder, expires_at) VALUES (1, 'pid 4242 on elsewhere (cafe0001)', {DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()});";
            await hold.ExecuteNonQueryAsync();
        }

        var busy = await ZenithProcess.RunAsync(directory, env, "sync", "events");
        Assert.Equal(1, busy.Exit);
        Assert.Matches(@"^Run \d+ cancelled: 0 read.* — Connector events is being run by another Zenith process \(pid 4242 on elsewhere \(cafe0001\)\)", Assert.Single(busy.Stdout));

        Assert.Equal(0, (await ZenithProcess.RunAsync(directory, env, "connectors", "remove", "events")).Exit);
        var missing = await ZenithProcess.RunAsync(directory, env, "sync", "events");
        Assert.Equal(1, missing.Exit);
        Assert.Equal(new[] { "zenith: No connector named \"events\" (zenith connectors list shows them)." }, missing.Stderr);
    }

    [Fact]
    public async Task Verify_exits_0_on_a_clean_table_and_1_with_the_missing_ids_when_rows_are_gone()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var mongoDb = servers.Mongo.NewDatabaseName("cliv");
        var chDb = servers.NewClickHouseDatabase("cliv");
        await Seed.InsertAsync(servers, mongoDb, "events", 300);
        var env = new Dictionary<string, string> { ["ZENITH_metadata_storage__path"] = Path.Combine(directory, "meta.db") };
        Assert.Equal(0, (await ZenithProcess.RunAsync(directory, env, "connectors", "add", "--name", "events", "--source-uri", servers.Mongo.ConnectionString, "--source-database", mongoDb,
            "--collection", "events", "--dest-uri", servers.ClickHouseUri, "--dest-database", chDb)).Exit);
        Assert.Equal(0, (await ZenithProcess.RunAsync(directory, env, "sync", "events")).Exit);

        var clean = await ZenithProcess.RunAsync(directory, env, "verify", "events");
        Assert.Equal(0, clean.Exit);
        Assert.Matches(@"^Verification \d+ clean: the table equals the collection: 300 documents, 300 rows; 0 missing, 0 extra, 0 stale; 0 of 300 sampled with other values; 0 pending in \d+ ms$", Assert.Single(clean.Stdout));

        var gone = (await servers.ClickHouse.ExecuteScalarAsync($"SELECT min(_id) FROM `{chDb}`.events"))!.ToString();
        await servers.ClickHouse.ExecuteNonQueryAsync($"ALTER TABLE `{chDb}`.events DELETE WHERE _id = '{gone}' SETTINGS mutations_sync = 2");
        var found = await ZenithProcess.RunAsync(directory, env, "verify", "events", "--sample", "0");
        Assert.Equal(1, found.Exit);
        Assert.Matches(@"^Verification \d+ found differences: 300 documents, 299 rows; 1 missing, 0 extra, 0 stale; 0 of 0 sampled", found.Stdout[0]);
        Assert.Equal($"missing (1): {gone}", found.Stdout[1].Trim());

        var missing = await ZenithProcess.RunAsync(directory, env, "verify", "nothing");
        Assert.Equal(1, missing.Exit);
        Assert.Equal(new[] { "zenith: No connector named \"nothing\" (zenith connectors list shows them)." }, missing.Stderr);
    }

    [Fact]
    public async Task With_api_the_cli_talks_to_a_running_service_with_its_key()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var port = FreePort();
        var env = new Dictionary<string, string> { ["ZENITH_server__urls"] = $"http://127.0.0.1:{port}", ["ZENITH_auth__api_key"] = "cli-key" };
        using var service = Process.Start(ZenithProcess.StartInfo(directory, env))!;
        try
        {
            using var http = new HttpClient();
            var clock = Stopwatch.StartNew();
            while (!await ReadyAsync(http, port))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the service did not become ready");
                await Task.Delay(200);
            }

            var clientEnv = new Dictionary<string, string>();
            using var clientDirectory = new TempDirectory();
            var unauthorized = await ZenithProcess.RunAsync(clientDirectory.Path, clientEnv, "status", "--api", $"http://127.0.0.1:{port}");
            Assert.Equal(1, unauthorized.Exit);
            Assert.StartsWith("zenith: 401 Unauthorized", Assert.Single(unauthorized.Stderr), StringComparison.Ordinal);

            var ok = await ZenithProcess.RunAsync(clientDirectory.Path, clientEnv, "status", "--api", $"http://127.0.0.1:{port}", "--api-key", "cli-key");
            Assert.Equal(0, ok.Exit);
            Assert.Equal(new[] { "No connectors. Add one with: zenith connectors add --help" }, ok.Stdout);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Every_command_has_help()
    {
        foreach (var command in new[] { new[] { "--help" }, ["status", "--help"], ["sync", "--help"], ["reset", "--help"], ["resync", "--help"], ["verify", "--help"], ["connectors", "add", "--help"], ["migrate", "--help"], ["serve", "--help"] })
        {
            using var directory = new TempDirectory();
            var result = await ZenithProcess.RunAsync(directory.Path, null, command);
            Assert.Equal(0, result.Exit);
            Assert.Contains("Usage:", result.Stdout);
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, int port)
    {
        try
        {
            return (await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
