using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zenith.Service.Metadata;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>PATCH /api/connectors/{id} as RFC 7396 has it, the name rule on create and rename only, and ids that are not numbers.</summary>
public sealed class PatchTests : IDisposable
{
    private const string SourceUri = "mongodb://app:Patch-pw@127.0.0.1:1/?serverSelectionTimeoutMS=500";
    private readonly ZenithApp app = new();
    private readonly HttpClient client;

    public PatchTests() => client = app.CreateClient();

    public void Dispose()
    {
        client.Dispose();
        app.Dispose();
    }

    private async Task<long> CreatePausedAsync(string name)
    {
        var body = new
        {
            name,
            source = new { uri = SourceUri, database = "monitoring", collection = "visits", filter = "{ \"organization_id\": 3 }" },
            destination = new { uri = "http://default:Patch-pw@127.0.0.1:1", database = "analytics", table = "visits" },
            mode = "incremental_id",
            intervalSeconds = 3600,
            batchSize = 500,
            paused = true,
        };
        return (await client.PostJsonAsync("/api/connectors", body, expected: 201)).Number("id");
    }

    private async Task<(HttpResponseMessage Response, JsonNode? Body)> PatchAsync(long id, string patch, string contentType = "application/merge-patch+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/connectors/{id}") { Content = new StringContent(patch) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task A_patch_changes_only_the_fields_sent_and_null_removes_an_optional_one()
    {
        var id = await CreatePausedAsync("patched");
        var before = await client.GetJsonAsync($"/api/connectors/{id}");
        Assert.Equal("paused", before.Str("status"));

        var (response, after) = await PatchAsync(id, """{ "intervalSeconds": 120, "source": { "filter": null }, "batchSize": null }""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(120, after.Number("intervalSeconds"));
        Assert.Null(after!["source"]!["filter"]);
        Assert.Null(after["batchSize"]);
        Assert.Equal(1000, after.Number("effectiveBatchSize"));
        foreach (var unchanged in new[] { "name", "mode", "status", "cursorField" })
        {
            Assert.Equal(before.Str(unchanged), after.Str(unchanged));
        }

        Assert.Equal(before["destination"]!.ToJsonString(), after["destination"]!.ToJsonString());
        Assert.Equal("visits", after["source"].Str("collection"));

        // The masked password in the stored URI is no new password: the real one is kept.
        var stored = await app.Services.GetRequiredService<ConnectorStore>().UnsealAsync(id, CancellationToken.None);
        Assert.Equal(SourceUri, stored!.Definition.Source.Uri);

        // application/json works too.
        var (plain, renamed) = await PatchAsync(id, """{ "name": "patched_again" }""", "application/json");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("patched_again", renamed.Str("name"));
    }

    [Fact]
    public async Task A_bad_patch_is_a_problem_naming_the_field_and_changes_nothing()
    {
        var id = await CreatePausedAsync("unpatched");
        var before = (await client.GetJsonAsync($"/api/connectors/{id}")).StoredJson();

        var (interval, problem) = await PatchAsync(id, """{ "intervalSeconds": 0 }""");
        Assert.Equal(HttpStatusCode.BadRequest, interval.StatusCode);
        Assert.NotNull(problem!["errors"]!["intervalSeconds"]);

        var (required, missing) = await PatchAsync(id, """{ "source": { "collection": null } }""");
        Assert.Equal(HttpStatusCode.BadRequest, required.StatusCode);
        Assert.NotNull(missing!["errors"]!["source.collection"]);

        var (type, wrongType) = await PatchAsync(id, """{ "intervalSeconds": "soon" }""");
        Assert.Equal(HttpStatusCode.BadRequest, type.StatusCode);
        Assert.NotNull(wrongType!["errors"]!["intervalSeconds"]);

        var (paused, pausedProblem) = await PatchAsync(id, """{ "paused": false }""");
        Assert.Equal(HttpStatusCode.BadRequest, paused.StatusCode);
        Assert.Contains("/pause", pausedProblem!["errors"]!["paused"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var (array, arrayProblem) = await PatchAsync(id, "[1, 2]");
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        Assert.NotNull(arrayProblem!["errors"]!["body"]);

        var (broken, _) = await PatchAsync(id, "{ \"name\": ");
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        var (text, textProblem) = await PatchAsync(id, """{ "intervalSeconds": 30 }""", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Contains("application/merge-patch+json", textProblem.Str("detail"), StringComparison.Ordinal);

        Assert.Equal(before, (await client.GetJsonAsync($"/api/connectors/{id}")).StoredJson());

        var (unknown, unknownProblem) = await PatchAsync(987654, """{ "intervalSeconds": 30 }""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("987654", unknownProblem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_from_before_the_rule_keeps_working_until_it_is_changed()
    {
        var store = app.Services.GetRequiredService<ConnectorStore>();
        var legacy = await store.CreateAsync(Definitions.Of("visited sites (old)", SourceUri, "http://default:Patch-pw@127.0.0.1:1"), Domain.ConnectorStatus.Paused, CancellationToken.None);

        var (kept, keptBody) = await PatchAsync(legacy.Id, """{ "intervalSeconds": 300 }""");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal("visited sites (old)", keptBody.Str("name"));

        var put = await client.GetJsonAsync($"/api/connectors/{legacy.Id}");
        put.AsObject().Remove("id");
        var (replaced, _) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{legacy.Id}", put.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var (renamed, problem) = await PatchAsync(legacy.Id, """{ "name": "visited sites (new)" }""");
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Contains("letters", problem!["errors"]!["name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var (fixedName, fixedBody) = await PatchAsync(legacy.Id, """{ "name": "visited_sites_new" }""");
        Assert.Equal(HttpStatusCode.OK, fixedName.StatusCode);
        Assert.Equal("visited_sites_new", fixedBody.Str("name"));
    }

    [Theory]
    [InlineData("GET", "/api/connectors/abc")]
    [InlineData("DELETE", "/api/connectors/abc")]
    [InlineData("PATCH", "/api/connectors/visited_sites")]
    [InlineData("POST", "/api/connectors/abc/sync")]
    [InlineData("GET", "/api/connectors/abc/runs")]
    public async Task An_id_that_is_not_a_number_is_said_so(string method, string path)
    {
        var (response, problem) = await client.SendAsync(new HttpMethod(method), path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var word = path.Split('/')[3];
        Assert.Equal($"The connector id must be a whole number, as GET /api/connectors lists them (got \"{word}\").", problem.Str("detail"));
        Assert.DoesNotContain("No such endpoint", problem!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    [InlineData("""{"intervalSeconds":60}""", """{"IntervalSeconds":5}""", """{"intervalSeconds":5}""")]
    public void The_merge_follows_rfc_7396(string target, string patch, string expected) =>
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), Zenith.Service.Api.JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))!.ToJsonString());
}
