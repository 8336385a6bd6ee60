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
        { """{"name":"my connector!"}""", "name" },
        { """{"name":"visited-sites"}""", "name" },
        { """{"name":"ünï"}""", "name" },
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
        { """{"cursorField":"_id","mode":"incremental_timestamp"}""", "cursorField" },
        { """{"settleSeconds":-1}""", "settleSeconds" },
        { """{"settleSeconds":3601}""", "settleSeconds" },
        { """{"destination":{"table":"events__zenith_staging_17"}}""", "destination.table" },
        { """{"mapping":{"maxDepth":0}}""", "mapping.maxDepth" },
        { """{"mapping":{"separator":""}}""", "mapping.separator" },
        { """{"table":{"orderBy":"id; DROP TABLE x"}}""", "table.orderBy" },
        { """{"intervalSeconds":"soon"}""", "intervalSeconds" },
        // Issue 14, item 12: what was valid JSON but no name, database or query MongoDB and the dashboard can take.
        { """{"source":{"database":"db_0123456789012345678901234567890123456789012345678901234567890"}}""", "source.database" },
        { """{"source":{"database":"ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcöd"}}""", "source.database" },
        { """{"name":"invoices\u202Egpj.exe"}""", "name" },
        { """{"name":"zero\u200Bwidth"}""", "name" },
        { """{"destination":{"table":"t\u2066able"}}""", "destination.table" },
        { """{"source":{"filter":"{\"$and\": []}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"$or\": {\"a\": 1}}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"$foo\": 1}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"a\": {\"$in\": 5}}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"a\": {\"$gte\": 1, \"$bogus\": 2}}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"$where\": \"sleep(100000) || true\"}"}}""", "source.filter" },
        { """{"source":{"filter":"{\"$expr\": {\"$function\": {\"body\": \"function() { return true }\", \"args\": [], \"lang\": \"js\"}}}"}}""", "source.filter" },
        { """{"source":{"projection":"{\"_id\": 1}"}}""", "source.projection" },
        { """{"source":{"projection":"{\"a\": 1, \"b\": 0}"}}""", "source.projection" },
        { """{"source":{"projection":"{\"a\": \"$b\"}"}}""", "source.projection" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_field_is_named_in_the_problem(string change, string field)
    {
        var body = Valid("bad_" + Guid.NewGuid().ToString("N")[..8]);
        Merge(body, JsonNode.Parse(change)!.AsObject());
        var (response, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors should name {field}: {problem.ToJsonString()}");
        Assert.False(string.IsNullOrWhiteSpace(errors[field]![0]!.GetValue<string>()));
        Assert.NotNull(problem["title"]);
        Assert.Contains(field, problem.Str("detail"), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, int, string> Malformed => new()
    {
        { "POST", "/api/connectors", "", 400, "body" },
        { "POST", "/api/connectors", "null", 400, "body" },
        { "POST", "/api/connectors", "{\"name\": \"x\",", 400, "body" },
        { "POST", "/api/connectors/test", "", 400, "body" },
        { "GET", "/api/logs?limit=abc", null, 400, "limit" },
        { "GET", "/api/logs?limit=99999999999", null, 400, "limit" },
        { "GET", "/api/logs?connectorId=x", null, 400, "connectorId" },
        { "GET", "/api/connectors/1/runs?limit=-5", null, 400, "limit" },
        { "GET", "/api/connectors/1/preview?sample=lots", null, 400, "sample" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_requests_are_problems_naming_the_field_with_a_detail(string method, string path, string? body, int status, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem!["errors"]?.AsObject().ContainsKey(field), $"errors should name {field}: {problem.ToJsonString()}");
        Assert.DoesNotContain("parameter", problem.Str("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Service", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_method_or_content_type_is_405_or_415_not_404()
    {
        var id = (await client.PostJsonAsync("/api/connectors", Valid("verbs_" + Guid.NewGuid().ToString("N")[..8]).ToJsonString(), expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");

        var (put, putProblem) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}/pause", "{}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Contains("method", putProblem.Str("detail"), StringComparison.Ordinal);
        var (getTest, _) = await client.SendAsync(HttpMethod.Get, "/api/connectors/test");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, getTest.StatusCode);

        using var text = new StringContent(Valid("plain").ToJsonString(), System.Text.Encoding.UTF8, "text/plain");
        var plain = await client.PostAsync("/api/connectors", text);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal("application/problem+json", plain.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Content-Type: application/json", JsonNode.Parse(await plain.Content.ReadAsStringAsync()).Str("detail"), StringComparison.Ordinal);

        var (missing, missingProblem) = await client.SendAsync(HttpMethod.Get, "/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("/docs", missingProblem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_update_changes_nothing_stored()
    {
        var name = "keep_" + Guid.NewGuid().ToString("N")[..8];
        var other = "other_" + Guid.NewGuid().ToString("N")[..8];
        var id = (await client.PostJsonAsync("/api/connectors", Valid(name).ToJsonString(), expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        var otherId = (await client.PostJsonAsync("/api/connectors", Valid(other).ToJsonString(), expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{otherId}/pause");
        var before = await client.GetJsonAsync($"/api/connectors/{id}");

        var invalid = Valid(name);
        invalid["intervalSeconds"] = 0;
        invalid["destination"]!["table"] = "changed";
        var (bad, badProblem) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", invalid.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull(badProblem!["errors"]!["intervalSeconds"]);

        var renamed = Valid(other.ToUpperInvariant());
        renamed["destination"]!["table"] = "changed";
        var (duplicate, duplicateProblem) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", renamed.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("already exists", duplicateProblem!["errors"]!["name"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var (broken, _) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", "{\"name\": ");
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        var after = await client.GetJsonAsync($"/api/connectors/{id}");
        Assert.Equal(before.StoredJson(), after.StoredJson());
    }

    [Fact]
    public async Task A_duplicate_name_is_refused_naming_the_field()
    {
        var name = "dup_" + Guid.NewGuid().ToString("N")[..8];
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
          "destination": { "uri": "http://default:pw@127.0.0.1:1", "database": "analytics", "table": "{{name}}" },
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
