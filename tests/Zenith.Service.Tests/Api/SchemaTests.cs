using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>GET /api/connectors/{id}/schema: the ClickHouse table's columns as ClickHouse has them, with the paths Zenith noted.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class SchemaTests(ServiceServers servers)
{
    [Fact]
    public async Task The_schema_is_the_tables_columns_and_their_source_paths_and_says_when_there_is_no_table_yet()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("schema"), servers.NewClickHouseDatabase("schema"));
        await Seed.InsertAsync(servers, mongoDb, "visits", 30);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Requests.Connector("schema", servers, mongoDb, "visits", chDb), Web)!;
        body["paused"] = true;
        var id = (await client.PostJsonAsync("/api/connectors", body, expected: 201)).Number("id");

        var before = await client.GetJsonAsync($"/api/connectors/{id}/schema");
        Assert.False(before["exists"]!.GetValue<bool>());
        Assert.Empty(before["columns"]!.AsArray());

        await client.PostJsonAsync($"/api/connectors/{id}/resume");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded", "the first run");
        var schema = await client.GetJsonAsync($"/api/connectors/{id}/schema");
        Assert.True(schema["exists"]!.GetValue<bool>());
        var columns = schema["columns"]!.AsArray().Select(c => (c.Str("name")!, c.Str("type")!, c.Str("sourcePath")!)).ToList();

        // What ClickHouse itself says, column by column, in order.
        var expected = new List<(string, string)>();
        using (var reader = await servers.ClickHouse.ExecuteReaderAsync($"SELECT name, type FROM system.columns WHERE database = '{chDb}' AND table = 'visits' ORDER BY position"))
        {
            while (reader.Read())
            {
                expected.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(expected, columns.Select(c => (c.Item1, c.Item2)));
        Assert.Equal("user.name", columns.Single(c => c.Item1 == "user_name").Item3);
        Assert.Equal("_id", columns.Single(c => c.Item1 == "_id").Item3);
        Assert.Equal("", columns.Single(c => c.Item1 == "_zenith_synced_at").Item3);

        var (missing, problem) = await client.SendAsync(HttpMethod.Get, "/api/connectors/987654/schema");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("987654", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_destination_is_one_line_with_the_drivers_text_apart()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var body = System.Text.Json.JsonSerializer.SerializeToNode(
            Requests.Connector("schema_unreachable", servers, "monitoring", "visits", "analytics", destinationUri: $"http://default:Sch3ma-pw@127.0.0.1:{port}"), Web)!;
        body["paused"] = true;
        var id = (await client.PostJsonAsync("/api/connectors", body, expected: 201)).Number("id");

        var (response, problem) = await client.SendAsync(HttpMethod.Get, $"/api/connectors/{id}/schema");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal($"ClickHouse at 127.0.0.1:{port} refused the connection", problem.Str("detail"));
        Assert.NotNull(problem.Str("errorDetail"));
        Assert.DoesNotContain("Sch3ma-pw", problem!.ToJsonString(), StringComparison.Ordinal);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);
}
