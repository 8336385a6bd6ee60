using Zenith.Service.Tests.Infrastructure;
using Zenith.TestServers.Faults;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// Issue 14, item 9, with the real engine: a query that hangs (every byte held by the tests' fault proxy, as a stuck query or a
/// half-open connection does) ends at the run's deadline, lets go of its max_parallel_jobs slot for the next connector, and the
/// connector syncs again once MongoDB answers.
/// </summary>
[Collection(ServiceServersCollection.Name)]
public sealed class RunDeadlineTests(ServiceServers servers)
{
    [Fact]
    public async Task A_hanging_query_ends_at_the_run_deadline_and_frees_its_slot()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("hang");
        var chDb = servers.NewClickHouseDatabase("hang");
        await Seed.InsertAsync(servers, mongoDb, "visits", 100);
        await using var mongo = FaultProxy.For(servers.Mongo.ConnectionString);
        using var app = new ZenithApp(settings: new()
        {
            ["timeouts:run_seconds"] = "3",
            ["timeouts:query_seconds"] = "120",
            ["processing:max_parallel_jobs"] = "1",
        });
        using var client = app.CreateClient();
        var hanging = (await client.PostJsonAsync("/api/connectors", Requests.Connector("hangs", servers, mongoDb, "visits", chDb, sourceUri: mongo.Route(servers.Mongo.ConnectionString)), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{hanging}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run");

        mongo.Hang();
        var stuck = await client.PostJsonAsync($"/api/connectors/{hanging}/sync", expected: 202);
        var waiting = (await client.PostJsonAsync("/api/connectors", Requests.Connector("waits", servers, mongoDb, "visits", chDb, table: "other"), expected: 201)).Number("id");

        var ended = await client.UntilAsync($"/api/runs/{stuck.Number("id")}", r => r.Str("status") is "failed" or "succeeded" or "cancelled", "the hanging run to reach its deadline");
        Assert.Equal("failed", ended.Str("status"));
        Assert.Contains("did not finish within timeouts.run_seconds (3 s)", ended.Str("error"), StringComparison.Ordinal);
        await client.UntilAsync($"/api/connectors/{waiting}", c => c["lastResult"].Str("status") == "succeeded", "the queued connector to get the slot and sync");

        mongo.Resume();
        var again = await client.PostJsonAsync($"/api/connectors/{hanging}/sync", expected: 202);
        Assert.Equal("succeeded", (await client.UntilAsync($"/api/runs/{again.Number("id")}", r => r.Str("status") is "failed" or "succeeded", "the run after MongoDB answers again")).Str("status"));
    }
}
