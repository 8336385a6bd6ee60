using System.Net;
using System.Text.Json.Nodes;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>Every rule a person can break when creating a connector, answered with problem details naming the field.</summary>
public sealed class ValidationTests : IClassFixture<ValidationTests.App>
{
    private readonly HttpClient client;

    public ValidationTests(App app)
    {
        ArgumentNullException.ThrowIfNull(app);
        client = app.CreateClient();
    }

    public static TheoryData<string, string> Cases => new()
    {
        { """{"source":{"uri":"postgres://x"}}""", "source.uri" },
        { """{"source":{"uri":"mongodb://"}}""", "source.uri" },
        { """{"destination":{"uri":"ftp://clickhouse:21"}}""", "destination.uri" },
        { """{"destination":{"uri":"not a url"}}""", "destination.uri" },
        { """{"mode":"sometimes"}""", "mode" },
        { """{"mode":null}""", "mode" },
        { """{"intervalSeconds":0}""", "intervalSeconds" },
        { """{"name":""}""", "name" },
        { """{"name":"   "}""", "name" },
        { """{"source":{"filter":"{ \"a\": "}}""", "source.filter" },
        { """{"source":{"projection":"[1,2"}}""", "source.projection" },
        { """{"source":{"database":"a/b"}}""", "source.database" },
        { """{"source":{"collection":""}}""", "source.collection" },
        { """{"destination":{"table":"a/b"}}""", "destination.table" },
        { """{"destination":{"table":""}}""", "destination.table" },
        { """{"destination":{"database":"system"}}""", "destination.database" },
        { """{"destination":{"database":"x`y"}}""", "destination.database" },
        { """{"batchSize":0}""", "batchSize" },
        { """{"batchSize":100001}""", "batchSize" },
        { """{"cursorField":"$bad","mode":"incremental_timestamp"}""", "cursorField" },
        { """{"mapping":{"maxDepth":0}}""", "mapping.maxDepth" },
        { """{"mapping":{"separator":""}}""", "mapping.separator" },
        { """{"table":{"orderBy":"id; DROP TABLE x"}}""", "table.orderBy" },
        { """{"intervalSeconds":"soon"}""", "intervalSeconds" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_field_is_named_in_the_problem(string change, string field)
    {
        var body = Valid("bad-" + Guid.NewGuid().ToString("N")[..8]);
        Merge(body, JsonNode.Parse(change)!.AsObject());
        var (response, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors should name {field}: {problem.ToJsonString()}");
        Assert.False(string.IsNullOrWhiteSpace(errors[field]![0]!.GetValue<string>()));
        Assert.NotNull(problem["title"]);
    }

    [Fact]
    public async Task A_duplicate_name_is_refused_naming_the_field()
    {
        var name = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var created = await client.PostJsonAsync("/api/connectors", Valid(name).ToJsonString(), expected: 201);
        await client.PostJsonAsync($"/api/connectors/{created.Number("id")}/pause");
        var (response, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", Valid(name.ToUpperInvariant()).ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("already exists", problem!["errors"]!["name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems()
    {
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/connectors/999999"), (HttpMethod.Post, "/api/connectors/999999/sync"), (HttpMethod.Delete, "/api/connectors/999999"), (HttpMethod.Get, "/api/runs/999999"), (HttpMethod.Get, "/api/connectors/999999/runs") })
        {
            var (response, problem) = await client.SendAsync(method, path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("999999", problem.Str("detail"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Limits_out_of_range_are_validation_problems()
    {
        var (logs, logProblem) = await client.SendAsync(HttpMethod.Get, "/api/logs?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, logs.StatusCode);
        Assert.NotNull(logProblem!["errors"]!["limit"]);
        var (level, _) = await client.SendAsync(HttpMethod.Get, "/api/logs?level=loud");
        Assert.Equal(HttpStatusCode.BadRequest, level.StatusCode);
    }

    private static JsonObject Valid(string name) => JsonNode.Parse($$"""
        {
          "name": "{{name}}",
          "source": { "uri": "mongodb://app:pw@127.0.0.1:1/?serverSelectionTimeoutMS=500", "database": "monitoring", "collection": "visited_sites" },
          "destination": { "uri": "http://default:pw@127.0.0.1:1", "database": "analytics", "table": "visited_sites" },
          "mode": "incremental_id",
          "intervalSeconds": 3600
        }
        """)!.AsObject();

    private static void Merge(JsonObject target, JsonObject change)
    {
        foreach (var (key, value) in change.ToList())
        {
            if (value is JsonObject inner && target[key] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                change.Remove(key);
                target[key] = value;
            }
        }
    }

    public sealed class App : IDisposable
    {
        private readonly ZenithApp app = new();

        public HttpClient CreateClient() => app.CreateClient();

        public void Dispose() => app.Dispose();
    }
}
