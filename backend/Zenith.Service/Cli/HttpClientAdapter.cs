using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zenith.Service.Api;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>Talks to a running service (<c>--api http://host:8080</c>), with the API key from <c>--api-key</c> or ZENITH_auth__api_key.</summary>
public sealed class HttpClientAdapter : IZenithClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly HttpClient http;

    public HttpClientAdapter(Uri baseAddress, string? apiKey)
    {
        http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public async Task<IReadOnlyList<ConnectorResponse>> ListAsync(CancellationToken cancellationToken) =>
        await ReadAsync<ConnectorResponse[]>(await SendAsync(HttpMethod.Get, "api/connectors", null, cancellationToken), cancellationToken);

    public async Task<ConnectorResponse> AddAsync(ConnectorRequest request, CancellationToken cancellationToken) =>
        await ReadAsync<ConnectorResponse>(await SendAsync(HttpMethod.Post, "api/connectors", request, cancellationToken), cancellationToken);

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        using var _ = await SendAsync(HttpMethod.Delete, $"api/connectors/{connector.Id}", null, cancellationToken);
    }

    public Task<RunResponse> SyncAsync(string name, CancellationToken cancellationToken) => RunAsync(name, "sync", cancellationToken);

    public Task<RunResponse> ResyncAsync(string name, CancellationToken cancellationToken) => RunAsync(name, "resync", cancellationToken);

    public async Task<ConnectorResponse> ResetAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        return await ReadAsync<ConnectorResponse>(await SendAsync(HttpMethod.Post, $"api/connectors/{connector.Id}/reset", null, cancellationToken), cancellationToken);
    }

    /// <summary>Starts a run (<paramref name="action"/>: <c>sync</c> or <c>resync</c>) and polls it until it ends.</summary>
    private async Task<RunResponse> RunAsync(string name, string action, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        var run = await ReadAsync<RunResponse>(await SendAsync(HttpMethod.Post, $"api/connectors/{connector.Id}/{action}", null, cancellationToken), cancellationToken);
        while (run.Status is RunStatus.Queued or RunStatus.Running)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            run = await ReadAsync<RunResponse>(await SendAsync(HttpMethod.Get, $"api/runs/{run.Id}", null, cancellationToken), cancellationToken);
        }

        return run;
    }

    public async Task<VerificationResponse> VerifyAsync(string name, int? sampleSize, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        var verification = await ReadAsync<VerificationResponse>(
            await SendAsync(HttpMethod.Post, $"api/connectors/{connector.Id}/verify", new VerificationRequest(sampleSize), cancellationToken), cancellationToken);
        try
        {
            while (verification.Status is VerificationStatus.Queued or VerificationStatus.Running)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                verification = await ReadAsync<VerificationResponse>(await SendAsync(HttpMethod.Get, $"api/verifications/{verification.Id}", null, cancellationToken), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C stops the verification on the service too, not only the waiting.
            using var _ = await SendAsync(HttpMethod.Post, $"api/verifications/{verification.Id}/cancel", null, CancellationToken.None);
            throw;
        }

        return verification;
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<ConnectorResponse> FindAsync(string name, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliException($"No connector named \"{name}\" (zenith connectors list shows them).");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        else if (method != HttpMethod.Get)
        {
            // A keyless service takes changes only as JSON (what a cross-site form cannot send), with or without a body.
            request.Content = new StringContent(string.Empty, System.Text.Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach Zenith at {http.BaseAddress}: {e.Message}");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new CliException(await DescribeAsync(response, cancellationToken));
        }
    }

    /// <summary>A problem document as one line: its detail and the field errors.</summary>
    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonNode.Parse(text);
            var errors = problem?["errors"]?.AsObject().Select(e => $"{e.Key}: {e.Value?[0]}") ?? [];
            var parts = new[] { problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>() }.Concat(errors).Where(p => !string.IsNullOrEmpty(p));
            return $"{(int)response.StatusCode} {response.StatusCode}: {string.Join("; ", parts)}";
        }
        catch (JsonException)
        {
            return response.StatusCode == HttpStatusCode.Unauthorized
                ? "401 Unauthorized: pass --api-key or set ZENITH_auth__api_key."
                : $"{(int)response.StatusCode} {response.StatusCode}";
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
        }
    }
}
