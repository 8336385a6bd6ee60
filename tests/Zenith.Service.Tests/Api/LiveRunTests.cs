using System.Text.Json.Nodes;
using MongoDB.Bson;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>A run seen while it goes (rows so far, rate, progress against the collection's estimated size) and the table's rows and freshness.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class LiveRunTests(ServiceServers servers)
{
    private const int Documents = 12_000;

    [Fact]
    public async Task A_first_load_reports_its_progress_while_it_runs_and_the_connector_its_rows_and_freshness_after()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("live"), servers.NewClickHouseDatabase("live"));
        // Seed dates its documents (their ObjectIds' time) ten minutes back, past the settle window.
        var seededFrom = DateTimeOffset.UtcNow.AddMinutes(-10).AddSeconds(-5);
        await Seed.InsertAsync(servers, mongoDb, "visits", Documents);
        var appName = "zenith-live-" + Guid.NewGuid().ToString("N")[..8];
        var uri = servers.Mongo.ConnectionString + (servers.Mongo.ConnectionString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "appName=" + appName;

        // The cursor's first batch is 10,000 documents; the server holds the getMore for the rest, so the run is seen between the two.
        // The hold must outlast the first insert's acknowledgement, which takes seconds when CI runs every test project on two cores.
        await HoldGetMoreAsync(appName, TimeSpan.FromSeconds(15));
        try
        {
            using var app = new ZenithApp();
            using var client = app.CreateClient();
            var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("live", servers, mongoDb, "visits", chDb, batchSize: 1000, sourceUri: uri), expected: 201)).Number("id");

            var running = (await client.UntilAsync(
                $"/api/connectors/{id}",
                c => c["lastResult"] is { } r && (r.Str("status") is "succeeded" or "failed" or "cancelled" || (r.Str("status") == "running" && r.Number("rowsWritten") > 0)),
                "the first load to write its first rows"))["lastResult"]!;
            Assert.Equal("running", running.Str("status"));
            Assert.Equal(Documents, running.Number("estimatedRows"));
            var progress = running["progress"]!.GetValue<double>();
            Assert.InRange(progress, 0.01, 0.99);
            Assert.True(running.Number("rowsRead") >= running.Number("rowsWritten"), running.ToJsonString());
            Assert.Equal((double)running.Number("rowsRead") / Documents, progress, 3);
            Assert.True(running["rowsPerSecond"]!.GetValue<double>() > 0, running.ToJsonString());
            Assert.Null(running["finishedAt"]);

            var done = (await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") != "running" && !c["running"]!.GetValue<bool>(), "the first load to end"))["lastResult"]!;
            Assert.Equal("succeeded", done.Str("status"));
            Assert.Equal((Documents, Documents, 1.0), (done.Number("rowsWritten"), done.Number("estimatedRows"), done["progress"]!.GetValue<double>()));
            Assert.Equal(Math.Round(Documents / (done.Number("durationMs") / 1000.0), 1), done["rowsPerSecond"]!.GetValue<double>(), 1);
            Assert.Equal(Documents, await servers.CountAsync(chDb, "visits"));

            // The table is measured behind the answers (one measured while the run went is stale once it ended): the list shows the count once it is in.
            var listed = await UntilMeasuredAsync(client, "/api/connectors", id, Documents);
            var statistics = listed["statistics"]!;
            var newest = DateTimeOffset.Parse(statistics.Str("newestChange")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(newest, seededFrom, DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.Null(statistics["lagSeconds"]);
            Assert.Null(statistics["error"]);
            Assert.Equal(statistics.ToJsonString(), (await client.GetJsonAsync($"/api/connectors/{id}"))["statistics"]!.ToJsonString());

            // An incremental run after it reads only what is new: no estimate to measure it against.
            await Seed.InsertAsync(servers, mongoDb, "visits", 10, offset: Documents);
            await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
            var incremental = (await client.UntilAsync(
                $"/api/connectors/{id}", c => c["lastResult"]!.Number("id") != done.Number("id") && c["lastResult"].Str("status") == "succeeded", "the incremental run"))["lastResult"]!;
            Assert.Equal(10, incremental.Number("rowsWritten"));
            Assert.Null(incremental["estimatedRows"]);
            Assert.Null(incremental["progress"]);
            var recounted = await client.UntilAsync($"/api/connectors/{id}", c => c["statistics"]?["rows"]?.GetValue<long>() == Documents + 10, "the table to be counted again after the run");
            Assert.Equal(Documents + 10, await servers.CountAsync(chDb, "visits"));
            Assert.NotNull(recounted["statistics"].Str("newestChange"));
        }
        finally
        {
            await HoldGetMoreAsync(null, TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_table_that_cannot_be_read_is_one_line_and_the_connector_still_answers()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var body = Requests.Connector("unreadable", servers, "monitoring", "visits", "analytics", destinationUri: $"http://127.0.0.1:{port}");
        var id = (await client.PostJsonAsync("/api/connectors", body, expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");

        var statistics = (await UntilMeasuredAsync(client, $"/api/connectors/{id}", null, null))["statistics"]!;
        Assert.Null(statistics["rows"]);
        Assert.Equal($"ClickHouse at 127.0.0.1:{port} refused the connection", statistics.Str("error"));
        Assert.DoesNotContain('\n', statistics.Str("error")!);
    }

    /// <summary>The connector (in the list when <paramref name="id"/> is given) once its table is measured, with <paramref name="rows"/> if given.</summary>
    private static async Task<JsonNode> UntilMeasuredAsync(HttpClient client, string path, long? id, long? rows)
    {
        JsonNode? Pick(JsonNode node) => id is null ? node : node.AsArray().FirstOrDefault(c => c.Number("id") == id);
        var found = await client.UntilAsync(
            path, n => Pick(n)?["statistics"] is JsonObject s && (rows is null || s["rows"]?.GetValue<long>() == rows), $"the table to be measured ({rows} rows)");
        return Pick(found)!;
    }

    private Task HoldGetMoreAsync(string? appName, TimeSpan block) =>
        servers.Mongo.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", appName is null ? "off" : "alwaysOn" },
            {
                "data", appName is null ? [] : new BsonDocument
                {
                    { "failCommands", new BsonArray { "getMore" } }, { "blockConnection", true },
                    { "blockTimeMS", (int)block.TotalMilliseconds }, { "appName", appName },
                }
            },
        });
}
