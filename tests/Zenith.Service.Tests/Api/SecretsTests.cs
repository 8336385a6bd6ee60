using System.Net;
using System.Text;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>Passwords go in through the API and never come out: not in responses, logs, metrics or the SQLite file.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class SecretsTests(ServiceServers servers)
{
    private const string MongoPassword = "M0ngo-pa55-word";

    [Fact]
    public async Task No_response_log_line_metric_or_file_holds_a_password()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("sec");
        var chDb = servers.NewClickHouseDatabase("sec");
        await Seed.InsertAsync(servers, mongoDb, "visits", 300);
        var passwords = new[] { MongoPassword, servers.Password }.Where(p => !string.IsNullOrEmpty(p)).Cast<string>().ToArray();
        var badMongo = $"mongodb://app:{MongoPassword}@127.0.0.1:{ClosedPort()}/?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000";

        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var seen = new StringBuilder();
        async Task Record(HttpMethod method, string path, object? body = null)
        {
            var (response, json) = await client.SendAsync(method, path, body);
            seen.Append(method).Append(' ').Append(path).Append(' ').Append((int)response.StatusCode).Append(' ')
                .AppendLine(json?.ToJsonString() ?? await response.Content.ReadAsStringAsync());
        }

        var good = (await client.PostJsonAsync("/api/connectors", Requests.Connector("good", servers, mongoDb, "visits", chDb), expected: 201)).Number("id");
        var bad = (await client.PostJsonAsync("/api/connectors", Requests.Connector("bad", servers, mongoDb, "visits", chDb, table: "other", sourceUri: badMongo), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{good}", c => c["lastResult"].Str("status") == "succeeded", "the good connector to sync");
        await client.UntilAsync($"/api/connectors/{bad}", c => c["lastResult"].Str("status") == "failed", "the bad connector to fail");
        await client.PostJsonAsync($"/api/connectors/{bad}/pause");

        await Record(HttpMethod.Get, "/api/connectors");
        await Record(HttpMethod.Get, $"/api/connectors/{good}");
        await Record(HttpMethod.Get, $"/api/connectors/{bad}");
        await Record(HttpMethod.Get, $"/api/connectors/{bad}/runs");
        await Record(HttpMethod.Get, "/api/logs?limit=500");
        await Record(HttpMethod.Post, $"/api/connectors/{good}/test");
        await Record(HttpMethod.Post, $"/api/connectors/{bad}/test");
        await Record(HttpMethod.Get, $"/api/connectors/{good}/preview?sample=50");
        await Record(HttpMethod.Post, "/api/connectors/test", new
        {
            source = new { uri = badMongo, database = mongoDb, collection = "visits" },
            destination = new { uri = servers.ClickHouseUri.Replace(servers.Password ?? "\0", "wrong-" + servers.Password, StringComparison.Ordinal), database = chDb, table = "x" },
        });
        var maskedDestination = servers.Password is null ? null : servers.ClickHouseUri.Replace(":" + servers.Password + "@", ":***@", StringComparison.Ordinal);
        await Record(HttpMethod.Put, $"/api/connectors/{good}", Requests.Connector("good", servers, mongoDb, "visits", chDb, destinationUri: maskedDestination));
        await Record(HttpMethod.Get, "/metrics");

        var text = seen.ToString();
        Assert.Contains(":***@", text, StringComparison.Ordinal);
        Assert.Contains("\"ok\":false", text, StringComparison.Ordinal);
        var logs = string.Join('\n', app.Logs.Lines);
        var file = await DatabaseFiles.ReadTextAsync(app.DatabasePath);
        foreach (var password in passwords)
        {
            Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(password, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(password, file, StringComparison.Ordinal);
        }

        // The stored passwords still work: the good connector syncs again after the update (masked form kept the password).
        var manual = await client.PostJsonAsync($"/api/connectors/{good}/sync", expected: 202);
        var run = await client.UntilAsync($"/api/runs/{manual.Number("id")}", r => r.Str("status") is "succeeded" or "failed", "the run after the update");
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/connectors/{bad}")).StatusCode);
    }

    [Fact]
    public async Task Testing_an_edit_with_the_masked_password_uses_the_saved_one_when_told_which_connector()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("mask");
        var chDb = servers.NewClickHouseDatabase("mask");
        await Seed.InsertAsync(servers, mongoDb, "visits", 10);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var saved = await client.PostJsonAsync("/api/connectors", Requests.Connector("masked", servers, mongoDb, "visits", chDb), expected: 201);
        var id = saved.Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");

        // What the dashboard's edit form holds: the connector as GET returned it, password masked, one field changed.
        var edited = new
        {
            source = new { uri = saved["source"].Str("uri"), database = mongoDb, collection = "visits" },
            destination = new { uri = saved["destination"].Str("uri"), database = chDb, table = "renamed" },
        };
        var withoutId = await client.PostJsonAsync("/api/connectors/test", edited);
        var withId = await client.PostJsonAsync("/api/connectors/test", new { edited.source, edited.destination, connectorId = id });

        Assert.True(withId["source"]!["ok"]!.GetValue<bool>(), withId.ToJsonString());
        Assert.True(withId["destination"]!["ok"]!.GetValue<bool>(), withId.ToJsonString());
        Assert.DoesNotContain(servers.Password ?? "\0", withId.ToJsonString(), StringComparison.Ordinal);
        if (saved["destination"].Str("uri")!.Contains(":***@", StringComparison.Ordinal))
        {
            // Without the id the mask cannot be resolved: say so rather than report a failed login with "***".
            Assert.False(withoutId["destination"]!["ok"]!.GetValue<bool>());
            Assert.Contains("masked", withoutId["destination"].Str("message"), StringComparison.Ordinal);
        }

        var (unknown, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors/test", new { edited.source, edited.destination, connectorId = 987654 });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull(problem!["errors"]!["connectorId"]);
    }

    [Fact]
    public async Task A_masked_password_pointed_at_another_server_is_never_sent_there()
    {
        // A listener that records whatever reaches it: the stored password must not.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var received = new StringBuilder();
        var accepting = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            var buffer = new byte[4096];
            for (int n; (n = await socket.GetStream().ReadAsync(buffer)) > 0;)
            {
                lock (received)
                {
                    received.Append(Encoding.Latin1.GetString(buffer, 0, n));
                }
            }
        });
        var elsewhere = $"http://default:***@127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var saved = new
        {
            name = "exfiltrate",
            source = new { uri = $"mongodb://app:{MongoPassword}@127.0.0.1:1/?serverSelectionTimeoutMS=500", database = "monitoring", collection = "visits" },
            destination = new { uri = $"http://default:{MongoPassword}@127.0.0.1:1", database = "analytics", table = "visits" },
            mode = "incremental_id",
            intervalSeconds = 3600,
        };
        var id = (await client.PostJsonAsync("/api/connectors", saved, expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        var before = await client.GetJsonAsync($"/api/connectors/{id}");

        var test = await client.PostJsonAsync("/api/connectors/test", new
        {
            source = new { uri = before["source"].Str("uri"), database = "monitoring", collection = "visits" },
            destination = new { uri = elsewhere, database = "analytics", table = "visits" },
            connectorId = id,
        });
        Assert.False(test["destination"]!["ok"]!.GetValue<bool>());
        Assert.Contains("type the password again", test["destination"].Str("message"), StringComparison.Ordinal);

        var (put, problem) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", new
        {
            saved.name,
            source = new { uri = before["source"].Str("uri"), database = "monitoring", collection = "visits" },
            destination = new { uri = elsewhere, database = "analytics", table = "visits" },
            saved.mode,
            saved.intervalSeconds,
        });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("type the password again", problem!["errors"]!["destination.uri"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before.StoredJson(), (await client.GetJsonAsync($"/api/connectors/{id}")).StoredJson());

        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
        Assert.DoesNotContain(MongoPassword, received.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, received.ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/connectors/{id}")).StatusCode);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
