using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// Issue 14, item 10: a database restored without its key ring (<c>keys/</c>). Only the connectors whose secrets it cannot
/// decrypt are affected: they say "credentials unreadable — enter the password again", are not scheduled, and health says so;
/// the list, the metrics and every other connector keep working; typing the password again brings the connector back.
/// </summary>
[Collection(ServiceServersCollection.Name)]
public sealed class UnreadableCredentialsTests(ServiceServers servers)
{
    [Fact]
    public async Task A_database_copied_without_its_keys_affects_only_its_own_connectors_until_the_password_is_typed_again()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("keys");
        var chDb = servers.NewClickHouseDatabase("keys");
        await Seed.InsertAsync(servers, mongoDb, "visits", 50);
        using var original = new TempDirectory();
        long lost;
        await using (var app = new ZenithApp(original.Path))
        {
            using var client = app.CreateClient();
            lost = (await client.PostJsonAsync("/api/connectors", Requests.Connector("lost_keys", servers, mongoDb, "visits", chDb), expected: 201)).Number("id");
            await client.UntilAsync($"/api/connectors/{lost}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run");
        }

        using var restored = DatabaseFiles.CopyWithoutKeys(original.Path);

        await using var again = new ZenithApp(restored.Path);
        using var http = again.CreateClient();
        var found = await http.UntilAsync($"/api/connectors/{lost}", c => c["credentialsUnreadable"]!.GetValue<bool>() && !c["running"]!.GetValue<bool>(), "the start-up check to find the credentials unreadable");
        Assert.Contains(found["warnings"]!.AsArray(), w => w.Str("kind") == "credentials_unreadable" && w.Str("message")!.Contains("enter the password again", StringComparison.Ordinal));
        Assert.Equal(0, found.Number("consecutiveFailures"));

        // The rest keeps working: the list, a new connector, the metrics.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/connectors")).StatusCode);
        var fresh = (await http.PostJsonAsync("/api/connectors", Requests.Connector("fresh_keys", servers, mongoDb, "visits", chDb, table: "fresh"), expected: 201)).Number("id");
        await http.UntilAsync($"/api/connectors/{fresh}", c => c["lastResult"].Str("status") == "succeeded", "the new connector to sync");
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("zenith_connector_credentials_unreadable{otel_scope_name=\"Zenith\",connector=\"lost_keys\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("zenith_connector_status{otel_scope_name=\"Zenith\",connector=\"fresh_keys\",status=\"active\"} 1", metrics, StringComparison.Ordinal);

        var (ready, health) = await http.SendAsync(HttpMethod.Get, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("unhealthy", health!["checks"]!["credentials"].Str("status"));
        Assert.Contains("lost_keys", health["checks"]!["credentials"].Str("description"), StringComparison.Ordinal);

        // Nothing that needs the secrets runs: sync now is refused, the test says what to do, the masked edit is refused.
        var (sync, problem) = await http.SendAsync(HttpMethod.Post, $"/api/connectors/{lost}/sync");
        Assert.Equal(HttpStatusCode.Conflict, sync.StatusCode);
        Assert.Contains("enter the password again", problem.Str("detail"), StringComparison.Ordinal);
        var test = await http.PostJsonAsync($"/api/connectors/{lost}/test");
        Assert.Contains("enter the password again", test["destination"].Str("message"), StringComparison.Ordinal);
        var masked = Requests.Connector("lost_keys", servers, mongoDb, "visits", chDb, destinationUri: found["destination"].Str("uri"));
        var (edit, refused) = await http.SendAsync(HttpMethod.Put, $"/api/connectors/{lost}", masked);
        Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);
        Assert.Contains("enter the password again", refused!["errors"]!["destination.uri"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        // The password typed again: readable, scheduled, syncing.
        var retyped = await http.SendAsync(HttpMethod.Put, $"/api/connectors/{lost}", Requests.Connector("lost_keys", servers, mongoDb, "visits", chDb));
        Assert.Equal(HttpStatusCode.OK, retyped.Response.StatusCode);
        Assert.False(retyped.Body!["credentialsUnreadable"]!.GetValue<bool>());
        var run = await http.PostJsonAsync($"/api/connectors/{lost}/sync", expected: 202);
        Assert.Equal("succeeded", (await http.UntilAsync($"/api/runs/{run.Number("id")}", r => r.Str("status") is "succeeded" or "failed", "the run after the password came back")).Str("status"));
        Assert.Equal("healthy", (await http.GetJsonAsync("/health/ready"))["checks"]!["credentials"].Str("status"));
    }
}
