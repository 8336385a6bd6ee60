using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>POST /api/connectors/preview: the saved preview's use case for a body not saved yet, storing nothing.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class PreviewTests(ServiceServers servers)
{
    [Fact]
    public async Task An_unsaved_connector_is_previewed_like_a_saved_one_and_nothing_is_stored()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("preview");
        var chDb = servers.NewClickHouseDatabase("preview");
        await Seed.InsertAsync(servers, mongoDb, "visits", 40);
        using var app = new ZenithApp();
        using var client = app.CreateClient();

        var body = Requests.Connector("", servers, mongoDb, "visits", chDb);
        var unsaved = await client.PostJsonAsync("/api/connectors/preview?sample=25", new { connector = body });
        Assert.Equal(25, unsaved.Number("sampled"));
        var columns = unsaved["columns"]!.AsArray().ToDictionary(c => c.Str("name")!, c => (Type: c.Str("type")!, Path: c.Str("sourcePath")));
        Assert.Equal("user.name", columns["user_name"].Path);
        Assert.Contains("String", columns["user_name"].Type, StringComparison.Ordinal);
        Assert.Contains("Int", columns["n"].Type, StringComparison.Ordinal);

        // Nothing was stored: no connector, no table.
        Assert.Empty((await client.GetJsonAsync("/api/connectors")).AsArray());
        Assert.Equal(0L, Convert.ToInt64(await servers.ClickHouse.ExecuteScalarAsync($"SELECT count() FROM system.databases WHERE name = '{chDb}'"), System.Globalization.CultureInfo.InvariantCulture));

        // The saved connector's preview answers the same columns.
        var id = (await client.PostJsonAsync("/api/connectors", WithPaused(Requests.Connector("previewed", servers, mongoDb, "visits", chDb)), expected: 201)).Number("id");
        var stored = await client.GetJsonAsync($"/api/connectors/{id}/preview?sample=25");
        Assert.Equal(unsaved["columns"]!.ToJsonString(), stored["columns"]!.ToJsonString());
    }

    [Fact]
    public async Task A_bad_body_names_the_field_and_an_unreachable_source_is_one_line()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();

        var bad = new { name = "", source = new { uri = servers.Mongo.ConnectionString, database = "monitoring", collection = "" }, destination = new { uri = servers.ClickHouseUri, database = "analytics", table = "visits" } };
        var (invalid, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors/preview", new { connector = bad });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.NotNull(problem!["errors"]!["connector.source.collection"]);
        Assert.Null(problem["errors"]!["connector.name"]);

        var (sample, sampleProblem) = await client.SendAsync(HttpMethod.Post, "/api/connectors/preview?sample=0", new { connector = bad });
        Assert.Equal(HttpStatusCode.BadRequest, sample.StatusCode);
        Assert.NotNull(sampleProblem!["errors"]!["sample"]);

        var unreachable = Requests.Connector("", servers, "monitoring", "visits", "analytics", sourceUri: "mongodb://app:Prev1ew-pw@127.0.0.1:1/?serverSelectionTimeoutMS=500");
        var (failed, failure) = await client.SendAsync(HttpMethod.Post, "/api/connectors/preview", new { connector = unreachable });
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.StartsWith("MongoDB at 127.0.0.1:1 refused the connection", failure.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Str("detail")!);
        Assert.DoesNotContain("Prev1ew-pw", failure!.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty((await client.GetJsonAsync("/api/connectors")).AsArray());
    }

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static System.Text.Json.Nodes.JsonNode WithPaused(object body)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(body, Web)!;
        node["paused"] = true;
        return node;
    }
}
