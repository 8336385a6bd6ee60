using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>What a client of the API does, reading JSON as a person would (no shared DTOs).</summary>
public static class Requests
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string raw ? new StringContent(raw, System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }
        else if (method != HttpMethod.Get)
        {
            // As the dashboard and the CLI do: a keyless service takes changes only as JSON, with or without a body.
            request.Content = new StringContent(string.Empty, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length > 0 && (text[0] is '{' or '[') ? JsonNode.Parse(text) : null);
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path)
    {
        var (response, body) = await client.SendAsync(HttpMethod.Get, path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return body!;
    }

    public static async Task<JsonNode> PostJsonAsync(this HttpClient client, string path, object? body = null, int expected = 200)
    {
        var (response, json) = await client.SendAsync(HttpMethod.Post, path, body);
        Assert.True((int)response.StatusCode == expected, $"POST {path} answered {(int)response.StatusCode}, expected {expected}: {json}");
        return json!;
    }

    public static object Connector(
        string name,
        ServiceServers servers,
        string mongoDatabase,
        string collection,
        string clickHouseDatabase,
        string? table = null,
        string mode = "incremental_id",
        int intervalSeconds = 3600,
        int? batchSize = null,
        string? destinationUri = null,
        string? sourceUri = null) => new
        {
            name,
            source = new { uri = sourceUri ?? servers.Mongo.ConnectionString, database = mongoDatabase, collection },
            destination = new { uri = destinationUri ?? servers.ClickHouseUri, database = clickHouseDatabase, table = table ?? collection },
            mode,
            intervalSeconds,
            batchSize,
        };

    /// <summary>Polls until <paramref name="done"/> holds; fails with the last value seen after a generous time-out (never the test's timing).</summary>
    public static async Task<JsonNode> UntilAsync(this HttpClient client, string path, Func<JsonNode, bool> done, string what, int timeoutSeconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var node = await client.GetJsonAsync(path);
            if (done(node))
            {
                return node;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                Assert.Fail($"Waited {timeoutSeconds} s for {what}; last {path}: {node.ToJsonString()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls an in-process condition until it holds; fails after a generous time-out.</summary>
    public static async Task UntilConditionAsync(Func<bool> done, string what, int timeoutSeconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(timeoutSeconds), $"Waited {timeoutSeconds} s for {what}");
            await Task.Delay(50);
        }
    }

    public static string? Str(this JsonNode? node, string property) => node?[property]?.GetValue<string>();

    /// <summary>A connector as stored: without its table's statistics, which are measured (they change whenever ClickHouse is counted).</summary>
    public static string StoredJson(this JsonNode node)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove("statistics");
        return copy.ToJsonString();
    }

    public static long Number(this JsonNode? node, string property) => node![property]!.GetValue<long>();
}
