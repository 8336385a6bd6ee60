using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zenith.Service.Metadata;
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
        Assert.Equal(new[] { $"Applied migrations {string.Join(", ", Migrations.Versions)}." }, first.Stdout);
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
        Assert.StartsWith("Added connector events (id 1, not run yet): ", line, StringComparison.Ordinal);
        if (servers.Password is { } password)
        {
            Assert.DoesNotContain(password, line, StringComparison.Ordinal);
        }

        var duplicate = await ZenithProcess.RunAsync(directory, env, Add("EVENTS"));
        Assert.Equal(1, duplicate.Exit);
        Assert.Equal(new[] { "zenith: A connector named \"EVENTS\" already exists." }, duplicate.Stderr);
        var badMode = await ZenithProcess.RunAsync(directory, env, Add("x", "sometimes"));
        Assert.Equal(2, badMode.Exit);
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
        Assert.StartsWith("Added connector x (id 2, not run yet)", Assert.Single(ruled.Stdout), StringComparison.Ordinal);

        var sync = await ZenithProcess.RunAsync(directory, env, "sync", "events");
        Assert.Equal(0, sync.Exit);
        Assert.Matches(@"^Run \d+ succeeded: 120 read, 120 written, 0 failed, 1 batches in \d+ ms$", Assert.Single(sync.Stdout));

        var status = await ZenithProcess.RunAsync(directory, env, "status");
        Assert.Equal(0, status.Exit);
        // The status reads as the dashboard's badge does.
        Assert.Matches(@"^events\s+Succeeded\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+Succeeded: 120 rows written$", status.Stdout[1]);

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
        var env = new Dictionary<string, string> { ["ZENITH_auth__api_key"] = "cli-key" };
        var (service, url) = await StartServiceAsync(directory, env);
        using var _ = service;
        try
        {
            var clientEnv = new Dictionary<string, string>();
            using var clientDirectory = new TempDirectory();
            var unauthorized = await ZenithProcess.RunAsync(clientDirectory.Path, clientEnv, "status", "--api", url);
            Assert.Equal(1, unauthorized.Exit);
            Assert.StartsWith("zenith: 401 Unauthorized", Assert.Single(unauthorized.Stderr), StringComparison.Ordinal);

            var ok = await ZenithProcess.RunAsync(clientDirectory.Path, clientEnv, "status", "--api", url, "--api-key", "cli-key");
            Assert.Equal(0, ok.Exit);
            Assert.Equal(new[] { "No connectors. Add one with: zenith connectors add --help" }, ok.Stdout);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("zenith: Unrecognized command or argument 'stauts'. Did you mean 'status'? (see zenith --help)", "stauts")]
    [InlineData("zenith: Unrecognized command or argument 'conectors'. Did you mean 'connectors'? (see zenith --help)", "conectors", "list")]
    [InlineData("zenith: Unrecognized command or argument '--bogus'. (see zenith status --help)", "status", "--bogus")]
    [InlineData("zenith: Unrecognized command or argument '--urls'. (see zenith serve --help)", "serve", "--urls", "http://0.0.0.0:80")]
    [InlineData("zenith: no command given: `zenith serve` runs the service, `zenith --help` lists the commands (see zenith --help)")]
    [InlineData("zenith: Required argument missing for command: 'sync'. (see zenith sync --help)", "--api", "http://127.0.0.1:1", "sync")]
    public async Task A_mistyped_command_line_is_one_line_and_exit_code_2_and_creates_nothing(string said, params string[] args)
    {
        using var directory = new TempDirectory();
        var result = await ZenithProcess.RunAsync(directory.Path, null, args);
        Assert.Equal(2, result.Exit);
        Assert.Empty(result.Stdout);
        Assert.Equal([said], result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public async Task Reading_commands_on_a_missing_file_say_so_and_create_nothing()
    {
        using var directory = new TempDirectory();
        var result = await ZenithProcess.RunAsync(directory.Path, null, "status");
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("zenith: There is no metadata database at ", Assert.Single(result.Stderr), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public async Task Global_options_work_before_or_after_the_command_and_sync_after_add_waits_for_the_first_run()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("cli");
        await Seed.InsertAsync(servers, mongoDb, "slow", 50);
        var app = "zenith-cli-" + Guid.NewGuid().ToString("N")[..8];
        using var temp = new TempDirectory();
        var (service, url) = await StartServiceAsync(temp.Path, []);
        try
        {
            using var client = new TempDirectory();
            var before = await ZenithProcess.RunAsync(client.Path, null, "--api", url, "status");
            var after = await ZenithProcess.RunAsync(client.Path, null, "status", "--api", url);
            Assert.Equal((0, 0), (before.Exit, after.Exit));
            Assert.Equal(before.Stdout, after.Stdout);
            Assert.Equal(["No connectors. Add one with: zenith connectors add --help"], after.Stdout);

            // The first run reads slowly (the server holds its find), so it is still going when `sync` comes: `sync` waits for it.
            // The hold must outlast the start of a second CLI process, which takes seconds when CI loads both cores.
            await BlockFindAsync(app, TimeSpan.FromSeconds(20));
            var uri = servers.Mongo.ConnectionString + (servers.Mongo.ConnectionString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "appName=" + app;
            var added = await ZenithProcess.RunAsync(client.Path, null,
                "--api", url, "connectors", "add", "--name", "slow", "--source-uri", uri, "--source-database", mongoDb, "--collection", "slow",
                "--dest-uri", servers.ClickHouseUri, "--dest-database", servers.NewClickHouseDatabase("cli"));
            Assert.Equal(0, added.Exit);
            var sync = await ZenithProcess.RunAsync(client.Path, null, "sync", "slow", "--api", url);
            Assert.True(sync.Exit == 0, string.Join('\n', [.. sync.Stdout, .. sync.Stderr]));
            Assert.Equal(2, sync.Stdout.Length);
            var attached = System.Text.RegularExpressions.Regex.Match(sync.Stdout[0], @"^Run (\d+) \(schedule\) is already (running|queued); waiting for it to finish\.$");
            Assert.True(attached.Success, sync.Stdout[0]);
            var waited = attached.Groups[1].Value;
            Assert.Matches($@"^Run {waited} succeeded: 50 read, 50 written, 0 failed, 1 batches in \d+ ms$", sync.Stdout[1]);
            Assert.Empty(sync.Stderr);
            Assert.Empty(Directory.EnumerateFileSystemEntries(client.Path));
        }
        finally
        {
            await BlockFindAsync(null, TimeSpan.Zero);
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
            service.Dispose();
        }
    }

    [Fact]
    public async Task A_validation_error_through_the_api_is_said_once()
    {
        using var temp = new TempDirectory();
        var (service, url) = await StartServiceAsync(temp.Path, []);
        try
        {
            using var client = new TempDirectory();
            var added = await ZenithProcess.RunAsync(client.Path, null,
                "connectors", "add", "--api", url, "--name", "bad_interval", "--source-uri", servers.Mongo.ConnectionString, "--source-database", "monitoring",
                "--collection", "visits", "--dest-uri", servers.ClickHouseUri, "--dest-database", "analytics", "--interval", "0");
            Assert.Equal(1, added.Exit);
            var line = Assert.Single(added.Stderr);
            Assert.Equal("zenith: 400 BadRequest: intervalSeconds: The interval must be between 1 and 604800 seconds (got 0).", line);
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
            service.Dispose();
        }
    }

    [Fact]
    public async Task A_change_stream_connector_added_through_the_api_shows_how_far_behind_it_is()
    {
        using var temp = new TempDirectory();
        var env = new Dictionary<string, string> { ["ZENITH_auth__api_key"] = "cli-key" };
        var mongoDb = servers.Mongo.NewDatabaseName("clics");
        await Seed.InsertAsync(servers, mongoDb, "events", 50);
        var (service, url) = await StartServiceAsync(temp.Path, env);
        using var _ = service;
        try
        {
            using var clientDirectory = new TempDirectory();
            string[] api = ["--api", url, "--api-key", "cli-key"];
            string[] add =
            [
                "connectors", "add", "--name", "live", "--source-uri", servers.Mongo.ConnectionString, "--source-database", mongoDb, "--collection", "events",
                "--dest-uri", servers.ClickHouseUri, "--dest-database", servers.NewClickHouseDatabase("clics"), "--mode", "change_stream", .. api,
            ];
            var badPolicy = await ZenithProcess.RunAsync(clientDirectory.Path, [], [.. add, "--on-history-lost", "sometimes"]);
            Assert.Equal(2, badPolicy.Exit);
            Assert.StartsWith("zenith: Argument 'sometimes' not recognized", Assert.Single(badPolicy.Stderr), StringComparison.Ordinal);
            var added = await ZenithProcess.RunAsync(clientDirectory.Path, [], [.. add, "--on-history-lost", "error"]);
            Assert.Equal(0, added.Exit);

            var waited = Stopwatch.StartNew();
            string line;
            do
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "the stream never caught up");
                var status = await ZenithProcess.RunAsync(clientDirectory.Path, [], ["status", .. api]);
                Assert.Equal(0, status.Exit);
                line = status.Stdout[1];
            }
            while (!line.Contains("caught up", StringComparison.Ordinal));

            Assert.Matches(@"^live\s+Running\s+never\s+streaming, 0\.0 s behind, caught up; Running: 50 rows written$", line);
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

    /// <summary>`zenith serve` on a free port of its own, ready.</summary>
    private static async Task<(Process Service, string Url)> StartServiceAsync(string directory, Dictionary<string, string> environment)
    {
        var port = FreePort();
        environment["ZENITH_server__urls"] = $"http://127.0.0.1:{port}";
        var service = Process.Start(ZenithProcess.StartInfo(directory, environment, "serve"))!;
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (!await ReadyAsync(http, port))
        {
            if (service.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                var output = await service.StandardError.ReadToEndAsync();
                service.Dispose();
                Assert.Fail($"the service did not become ready: {output}");
            }

            await Task.Delay(200);
        }

        return (service, $"http://127.0.0.1:{port}");
    }

    /// <summary>MongoDB holds each find of the client named <paramref name="appName"/> this long (mongod's failCommand); null turns it off.</summary>
    private Task BlockFindAsync(string? appName, TimeSpan block) =>
        servers.Mongo.Client.GetDatabase("admin").RunCommandAsync<MongoDB.Bson.BsonDocument>(new MongoDB.Bson.BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", appName is null ? "off" : "alwaysOn" },
            {
                "data", appName is null ? [] : new MongoDB.Bson.BsonDocument
                {
                    { "failCommands", new MongoDB.Bson.BsonArray { "find" } }, { "blockConnection", true },
                    { "blockTimeMS", (int)block.TotalMilliseconds }, { "appName", appName },
                }
            },
        });

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
