using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Zenith.Service.Connectors;
using Zenith.Service.Scheduling;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Verify;

/// <summary>Verifications through the API and the schedulers of the real service, against the real ends.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class VerificationApiTests(ServiceServers servers)
{
    private async Task<(long Id, string ClickHouseDb)> SyncedConnectorAsync(HttpClient client, string name, int documents, int? verifyInterval = null)
    {
        var mongoDb = servers.Mongo.NewDatabaseName("ver");
        var chDb = servers.NewClickHouseDatabase("ver");
        await Seed.InsertAsync(servers, mongoDb, "visits", documents);
        var request = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Requests.Connector(name, servers, mongoDb, "visits", chDb)))!;
        if (verifyInterval is { } interval)
        {
            request["verifyIntervalSeconds"] = interval;
        }

        var id = (await client.PostJsonAsync("/api/connectors", request.ToJsonString(), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run");
        return (id, chDb);
    }

    [Fact]
    public async Task Verify_answers_202_and_the_verification_reports_clean_then_the_rows_removed_by_hand()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var (id, chDb) = await SyncedConnectorAsync(client, "verified", 1500);

        var (response, started) = await client.SendAsync(HttpMethod.Post, $"/api/connectors/{id}/verify");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/verifications/{started.Number("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal("manual", started.Str("trigger"));
        var clean = await client.UntilAsync($"/api/verifications/{started.Number("id")}", v => v.Str("status") is "succeeded" or "failed", "the verification");
        Assert.True(clean.Str("status") == "succeeded", clean.ToJsonString());
        Assert.True(clean["report"]!["clean"]!.GetValue<bool>(), clean.ToJsonString());
        Assert.Equal((1500L, 1500L, 1000L), (clean["report"].Number("sourceCount"), clean["report"].Number("destinationCount"), clean["report"].Number("sampled")));
        Assert.Equal(1500, clean.Number("idsCompared"));

        var removed = (await servers.ClickHouse.ExecuteScalarAsync($"SELECT _id FROM `{chDb}`.visits ORDER BY _id LIMIT 1 OFFSET 700"))!.ToString();
        await servers.ClickHouse.ExecuteNonQueryAsync($"ALTER TABLE `{chDb}`.visits DELETE WHERE _id = '{removed}' SETTINGS mutations_sync = 2");
        var second = await client.PostJsonAsync($"/api/connectors/{id}/verify", new { sampleSize = 0 }, expected: 202);
        var found = await client.UntilAsync($"/api/verifications/{second.Number("id")}", v => v.Str("status") is "succeeded" or "failed", "the second verification");
        var report = found["report"]!;
        Assert.False(report["clean"]!.GetValue<bool>());
        Assert.Equal((1L, 0L, 0L), (report.Number("missing"), report.Number("extra"), report.Number("sampled")));
        Assert.Equal(removed, report["missingIds"]![0].Str("id"));
        Assert.Equal("objectId", report["missingIds"]![0].Str("type"));

        var list = (await client.GetJsonAsync($"/api/connectors/{id}/verifications")).AsArray();
        Assert.Equal([second.Number("id"), started.Number("id")], list.Select(v => v.Number("id")));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("zenith_verify_missing_rows{otel_scope_name=\"Zenith\",connector=\"verified\"} 1", metrics, StringComparison.Ordinal);
        var logs = (await client.GetJsonAsync($"/api/logs?connectorId={id}&level=warning")).AsArray();
        Assert.Contains(logs, l => l.Str("message")!.StartsWith($"Verification {second.Number("id")} succeeded: 1 missing, 0 extra", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_and_a_finished_verification_cannot_be_cancelled()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var (id, _) = await SyncedConnectorAsync(client, "refused", 20);

        var (bad, problem) = await client.SendAsync(HttpMethod.Post, $"/api/connectors/{id}/verify", new { sampleSize = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("sample size must be between 0 and 100000", problem!["errors"]!["sampleSize"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await client.GetJsonAsync($"/api/connectors/{id}/verifications")).AsArray());

        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Post, "/api/connectors/999999/verify")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, "/api/verifications/999999")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(HttpMethod.Get, $"/api/connectors/{id}/verifications?limit=0")).Response.StatusCode);

        var started = await client.PostJsonAsync($"/api/connectors/{id}/verify", expected: 202);
        await client.UntilAsync($"/api/verifications/{started.Number("id")}", v => v.Str("status") == "succeeded", "the verification");
        var (late, lateProblem) = await client.SendAsync(HttpMethod.Post, $"/api/verifications/{started.Number("id")}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal($"Verification {started.Number("id")} has already finished (succeeded).", lateProblem.Str("detail"));

        var (badInterval, intervalProblem) = await client.SendAsync(HttpMethod.Post, "/api/connectors",
            System.Text.Json.JsonSerializer.Serialize(new { name = "too_often", source = new { uri = servers.Mongo.ConnectionString, database = "m", collection = "c" },
                destination = new { uri = servers.ClickHouseUri, database = "d", table = "t" }, mode = "full", verifyIntervalSeconds = 5 }));
        Assert.Equal(HttpStatusCode.BadRequest, badInterval.StatusCode);
        Assert.Contains("verifyIntervalSeconds", intervalProblem!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_verification_interval_starts_verifications_by_itself_and_a_run_can_be_followed_by_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = new ZenithApp();
        using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(time)));
        using var client = host.CreateClient();
        var (id, _) = await SyncedConnectorAsync(client, "nightly", 50, verifyInterval: 86_400);
        Assert.Equal(86_400, (await client.GetJsonAsync($"/api/connectors/{id}")).Number("verifyIntervalSeconds"));

        // Never verified: due at once, on the loop's next pass.
        var scheduler = host.Services.GetRequiredService<VerificationScheduler>();
        var passes = scheduler.Passes;
        time.Advance(VerificationScheduler.PassEvery);
        var first = await client.UntilAsync($"/api/connectors/{id}/verifications", l => l.AsArray().Count == 1 && l[0].Str("status") == "succeeded", "the scheduled verification");
        Assert.Equal("schedule", first[0].Str("trigger"));

        // Not again before the interval has passed.
        passes = scheduler.Passes;
        time.Advance(VerificationScheduler.PassEvery);
        await Requests.UntilConditionAsync(() => scheduler.Passes > passes, "another pass");
        Assert.Single((await client.GetJsonAsync($"/api/connectors/{id}/verifications")).AsArray());

        // A run followed by a verification (how a resync is followed by one): it starts once the run has succeeded.
        var run = await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        host.Services.GetRequiredService<VerificationService>().VerifyAfterRun(id, run.Number("id"));
        var after = await client.UntilAsync($"/api/connectors/{id}/verifications", l => l.AsArray().Count == 2 && l[0].Str("status") == "succeeded", "the verification after the run");
        Assert.Equal("resync", after[0].Str("trigger"));
        Assert.Equal("succeeded", (await client.GetJsonAsync($"/api/runs/{run.Number("id")}")).Str("status"));
    }
}
