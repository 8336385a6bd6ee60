using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Zenith.Core.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Telemetry;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Telemetry;

[Collection(ServiceServersCollection.Name)]
public sealed partial class MetricsTests(ServiceServers servers)
{
    [Fact]
    public void Instruments_record_through_the_in_memory_exporter()
    {
        // The exporter hears every "Zenith" meter in the process, including hosts of tests running in parallel: count only ours.
        var visits = "visits-" + Guid.NewGuid().ToString("N")[..8];
        using var services = new ServiceCollection()
            .AddMetrics()
            .AddSingleton<IConnectorGaugeSource>(new FixedGauges(new ConnectorGauge(visits, ConnectorStatus.Error, false, 3, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), 60)))
            .AddSingleton<ZenithMetrics>()
            .BuildServiceProvider();
        var exported = new List<Metric>();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(ZenithMetrics.MeterName).AddInMemoryExporter(exported).Build();
        var metrics = services.GetRequiredService<ZenithMetrics>();

        metrics.BatchCommitted(visits, new SyncProgress(1000, 990, 10, 1, 4096));
        metrics.BatchCommitted(visits, new SyncProgress(500, 500, 0, 1, 2048));
        metrics.RunFinished(visits, SyncOutcome.Succeeded, TimeSpan.FromSeconds(2));
        provider.ForceFlush();

        Assert.Equal(1490, Sum(exported, "zenith.rows.written", visits));
        Assert.Equal(1500, Sum(exported, "zenith.rows.read", visits));
        Assert.Equal(10, Sum(exported, "zenith.rows.failed", visits));
        Assert.Equal(6144, Sum(exported, "zenith.bytes", visits));
        Assert.All(exported.Where(m => m.Name == "zenith.bytes"), m => Assert.Equal("By", m.Unit));
        var durations = exported.Where(m => m.Name == "zenith.sync.duration").ToList();
        Assert.All(durations, m => Assert.Equal("s", m.Unit));
        var sums = new List<double>();
        foreach (var duration in durations)
        {
            foreach (ref readonly var point in duration.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "connector" && Equals(tag.Value, visits))
                    {
                        sums.Add(point.GetHistogramSum());
                    }
                }
            }
        }

        Assert.Equal([2.0], sums);
        var status = Points(exported, "zenith.connector.status").Where(p => p.Tags["connector"] == visits).ToList();
        Assert.Equal(1, status.Single(p => p.Tags["status"] == "error").Value);
        Assert.Equal(0, status.Single(p => p.Tags["status"] == "active").Value);
        Assert.Equal(1_800_000_000, Points(exported, "zenith.connector.last_success_timestamp").Single(p => p.Tags["connector"] == visits).Value);
    }

    [Fact]
    public async Task The_scrape_matches_the_approved_snapshot_and_passes_promtool()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("met");
        await Seed.InsertAsync(servers, mongoDb, "visits", 200);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("metrics_demo", servers, mongoDb, "visits", servers.NewClickHouseDatabase("met")), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded", "the run");
        var verification = await client.PostJsonAsync($"/api/connectors/{id}/verify", expected: 202);
        await client.UntilAsync($"/api/verifications/{verification.Number("id")}", v => v.Str("status") == "succeeded", "the verification");

        // A change stream, applying one insert: its lag gauge and its events counter.
        await Seed.InsertAsync(servers, mongoDb, "live", 10);
        var stream = (await client.PostJsonAsync("/api/connectors", Requests.Connector("metrics_stream", servers, mongoDb, "live", servers.NewClickHouseDatabase("met"), mode: "change_stream"), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{stream}", c => c["caughtUp"]?.GetValue<bool>() == true, "the stream to catch up");
        await servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<MongoDB.Bson.BsonDocument>("live").InsertOneAsync(new MongoDB.Bson.BsonDocument("n", 1));
        var scrape = "";
        var waited = Stopwatch.StartNew();
        while (!(scrape = await client.GetStringAsync("/metrics")).Contains("connector=\"metrics_stream\",type=\"insert\"", StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(2), "the stream's insert never reached the metrics");
            await Task.Delay(50);
        }

        GC.Collect();
        await client.GetAsync("/health/live");
        scrape = await client.GetStringAsync("/metrics");

        Approved.Verify("tests/Zenith.Service.Tests/Approved/metrics.approved.txt", Scrub(scrape), "ZENITH_UPDATE_APPROVED");
        foreach (var password in new[] { servers.Password }.Where(p => !string.IsNullOrEmpty(p)))
        {
            Assert.DoesNotContain(password!, scrape, StringComparison.Ordinal);
        }

        await PromtoolCheckAsync(scrape);
    }

    /// <summary>
    /// Zenith's families whole (values scrubbed), and the names of the runtime and HTTP families dashboards use
    /// (their presence, not their values; families that appear only after some events are left out).
    /// </summary>
    private static string Scrub(string scrape)
    {
        var output = new StringBuilder();
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal) && StableFamily().IsMatch(line))
            {
                output.AppendLine(line);
            }
            else if (line.StartsWith("zenith_", StringComparison.Ordinal) && !line.Contains("connector=\"metrics_demo\"", StringComparison.Ordinal) && !line.Contains("connector=\"metrics_stream\"", StringComparison.Ordinal))
            {
                // Hosts of tests running in parallel share the process's "Zenith" meters; only this test's connector is stable.
            }
            else if (line.StartsWith("zenith_", StringComparison.Ordinal) || line.StartsWith("# HELP zenith_", StringComparison.Ordinal) || line.StartsWith("# UNIT zenith_", StringComparison.Ordinal) || line.StartsWith("# TYPE zenith_", StringComparison.Ordinal))
            {
                output.AppendLine(line.StartsWith('#') ? line : SampleValue().Replace(line, " <value>"));
            }
        }

        return output.ToString().Replace("\r", "", StringComparison.Ordinal);
    }

    private static async Task PromtoolCheckAsync(string scrape)
    {
        var promtool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        Assert.True(promtool is not null, "promtool is not installed: install Debian's prometheus package (apt-get install -y prometheus) so /metrics can be checked.");
        var start = new ProcessStartInfo(promtool!, "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(scrape);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // promtool exits 3 for lint hints only (e.g. counters named without _total by the runtime); 1 is a broken exposition.
        Assert.True(process.ExitCode is 0 or 3, $"promtool check metrics failed ({process.ExitCode}): {output}");
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith("zenith_", StringComparison.Ordinal));
    }

    private static long Sum(List<Metric> exported, string name, string connector) =>
        (long)Points(exported, name, sum: true).Where(p => p.Tags.GetValueOrDefault("connector") == connector).Sum(p => p.Value);

    private static List<(Dictionary<string, string> Tags, double Value)> Points(List<Metric> exported, string name, bool sum = false)
    {
        var points = new List<(Dictionary<string, string>, double)>();
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, string>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value?.ToString() ?? "";
                }

                var value = sum ? point.GetSumLong() : metric.MetricType is MetricType.DoubleGauge ? point.GetGaugeLastValueDouble() : point.GetGaugeLastValueLong();
                points.Add((tags, value));
            }
        }

        return points;
    }

    [GeneratedRegex(@" [^ ]+( [0-9]+)?$")]
    private static partial Regex SampleValue();

    [GeneratedRegex(@"^# TYPE (http_server_request_duration_seconds|http_server_active_requests|dotnet_process_memory_working_set_bytes|dotnet_process_cpu_time_seconds_total|dotnet_gc_heap_total_allocated_bytes_total|dotnet_thread_pool_thread_count|dotnet_assembly_count|target_info) ")]
    private static partial Regex StableFamily();

    private sealed class FixedGauges(params ConnectorGauge[] gauges) : IConnectorGaugeSource
    {
        public IReadOnlyList<ConnectorGauge> Read() => gauges;
    }
}
