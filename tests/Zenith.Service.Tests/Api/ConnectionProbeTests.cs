using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// Issue 14, item 6: a connection test is no probe. It never repeats a body that is not ClickHouse's or MongoDB's own error, and
/// with network.allowed_hosts set it does not connect anywhere else (neither do saves, runs and previews).
/// </summary>
public sealed class ConnectionProbeTests
{
    private const string InternalPage = "<html><title>Jenkins</title>build token jnk-7f3a9c0d-internal 42 of 17</html>";

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    [InlineData(200)]
    public async Task A_server_that_is_not_clickhouse_is_named_but_its_answer_is_not_repeated(int status)
    {
        await using var stranger = new RecordingListener(status, InternalPage);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var result = await client.PostJsonAsync("/api/connectors/test", new
        {
            source = new { uri = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300", database = "monitoring", collection = "visits" },
            destination = new { uri = $"http://default@127.0.0.1:{stranger.Port}", database = "analytics", table = "visits" },
        });

        var message = result["destination"].Str("message")!;
        Assert.False(result["destination"]!["ok"]!.GetValue<bool>());
        Assert.Contains($"127.0.0.1:{stranger.Port}", message, StringComparison.Ordinal);
        Assert.Contains("not as ClickHouse does", message, StringComparison.Ordinal);
        foreach (var part in new[] { "Jenkins", "jnk-7f3a9c0d", "html", "token" })
        {
            Assert.DoesNotContain(part, message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task With_allowed_hosts_set_other_hosts_are_refused_on_save_test_and_run()
    {
        await using var stranger = new RecordingListener();
        using var app = new ZenithApp(settings: new() { ["network:allowed_hosts"] = "mongo.internal;10.20.0.0/16" });
        using var client = app.CreateClient();
        var elsewhere = new
        {
            name = "probe",
            source = new { uri = "mongodb://mongo.internal:27017,127.0.0.1:27018/?serverSelectionTimeoutMS=300", database = "monitoring", collection = "visits" },
            destination = new { uri = $"http://default:pw@127.0.0.1:{stranger.Port}", database = "analytics", table = "visits" },
            mode = "incremental_id",
            intervalSeconds = 3600,
        };

        var (created, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", elsewhere);
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.StartsWith("127.0.0.1 is not in network.allowed_hosts", problem!["errors"]!["source.uri"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("127.0.0.1 is not in network.allowed_hosts", problem["errors"]!["destination.uri"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await client.GetJsonAsync("/api/connectors")).AsArray());

        var test = await client.PostJsonAsync("/api/connectors/test", new { elsewhere.source, elsewhere.destination });
        Assert.Contains("not in network.allowed_hosts", test["source"].Str("message"), StringComparison.Ordinal);
        Assert.Contains("not in network.allowed_hosts", test["destination"].Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, stranger.Connections);
    }
}
