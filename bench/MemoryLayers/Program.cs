using System.Diagnostics;
using System.Runtime.CompilerServices;
using ClickHouse.Driver.ADO;
using Dapper;
using Microsoft.Data.Sqlite;
using MongoDB.Bson;
using MongoDB.Driver;
using OpenTelemetry.Metrics;

// Each level is its own process and adds one layer to the one before; it settles 5 s (Zenith's idle measure) and prints its
// /proc/self/status figures. `MemoryLayers` alone runs every level and prints the table; MONGO_URI and CLICKHOUSE_URL, when set,
// make the driver level talk to real servers (a ping, a SELECT 1) instead of only building the clients.
string[] levels = ["runtime", "web host", "+ OpenTelemetry metrics and Prometheus", "+ SQLite and Dapper", "+ MongoDB.Driver and ClickHouse.Driver"];
if (args.Length == 0)
{
    Console.WriteLine("| level | RSS MiB | anonymous | file-backed | shared (JIT code) |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
    for (var level = 0; level < levels.Length; level++)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
            info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add(level.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var child = Process.Start(info)!;
        Console.WriteLine($"| {levels[level]} | {(await child.StandardOutput.ReadToEndAsync()).Trim()} |");
        await child.WaitForExitAsync();
    }
    return;
}

var upTo = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
WebApplication? app = null;
if (upTo >= 1)
    app = await Layers.WebHostAsync(upTo >= 2);
if (upTo >= 3)
    await Layers.SqliteAsync();
if (upTo >= 4)
    await Layers.DriversAsync();
GC.Collect();
await Task.Delay(TimeSpan.FromSeconds(5));
Console.WriteLine(Layers.Status());
if (app is not null)
    await app.StopAsync();

internal static class Layers
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<WebApplication> WebHostAsync(bool telemetry)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (telemetry)
            Telemetry(builder);
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        if (telemetry)
            app.MapPrometheusScrapingEndpoint();
        await app.StartAsync();
        using var http = new HttpClient();
        var address = app.Urls.First();
        await http.GetStringAsync(address);
        if (telemetry)
            await http.GetStringAsync(address + "/metrics");
        return app;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Telemetry(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddPrometheusExporter());

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task SqliteAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"memory-layers-{Environment.ProcessId}.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT)");
            await connection.ExecuteAsync("INSERT INTO t (name) VALUES (@name)", new { name = "x" });
            _ = await connection.QueryAsync<(long, string)>("SELECT id, name FROM t");
        }
        SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task DriversAsync()
    {
        var mongoUri = Environment.GetEnvironmentVariable("MONGO_URI");
        using var mongo = new MongoClient(mongoUri ?? "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1");
        if (mongoUri is not null)
            await mongo.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        var clickHouseUrl = Environment.GetEnvironmentVariable("CLICKHOUSE_URL");
        using var clickHouse = new ClickHouseConnection(clickHouseUrl is null ? "Host=127.0.0.1;Port=1" : $"Host={new Uri(clickHouseUrl).Host};Port={new Uri(clickHouseUrl).Port}");
        if (clickHouseUrl is not null)
            _ = await clickHouse.ExecuteScalarAsync("SELECT 1");
    }

    public static string Status()
    {
        var lines = File.ReadAllLines("/proc/self/status");
        double Mib(string key) => long.Parse(lines.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return $"{Mib("VmRSS:"):F0} | {Mib("RssAnon:"):F0} | {Mib("RssFile:"):F0} | {Mib("RssShmem:"):F0}";
    }
}
