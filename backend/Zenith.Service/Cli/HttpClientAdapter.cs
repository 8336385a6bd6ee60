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

    public async Task<RunResponse> SyncAsync(string name, Action<RunResponse> attached, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attached);
        var connector = await FindAsync(name, cancellationToken);
        var run = await StartOrAttachAsync(connector.Id, attached, cancellationToken);
        return await PollAsync(run, cancellationToken);
    }

    public async Task<RunResponse> ResyncAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        var run = await ReadAsync<RunResponse>(await SendAsync(HttpMethod.Post, $"api/connectors/{connector.Id}/resync", null, cancellationToken), cancellationToken);
        return await PollAsync(run, cancellationToken);
    }

    public async Task<ConnectorResponse> ResetAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        return await ReadAsync<ConnectorResponse>(await SendAsync(HttpMethod.Post, $"api/connectors/{connector.Id}/reset", null, cancellationToken), cancellationToken);
    }

    /// <summary>Follows a run until it ends.</summary>
    private async Task<RunResponse> PollAsync(RunResponse run, CancellationToken cancellationToken)
    {
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

    /// <summary>Starts a run; when one is already going (409), the connector's newest run is that one: wait for it.</summary>
    private async Task<RunResponse> StartOrAttachAsync(long id, Action<RunResponse> attached, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/connectors/{id}/sync") { Content = EmptyJson() };
            using var response = await SendRawAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Conflict)
            {
                return await ReadAsync<RunResponse>(await EnsureSuccessAsync(response, cancellationToken), cancellationToken);
            }

            var runs = await ReadAsync<RunResponse[]>(await SendAsync(HttpMethod.Get, $"api/connectors/{id}/runs?limit=1", null, cancellationToken), cancellationToken);
            if (runs is [{ Status: RunStatus.Queued or RunStatus.Running } running])
            {
                attached(running);
                return running;
            }

            // The run that was going ended between the two requests: start one now (once more at most).
            if (attempt > 0)
            {
                throw new CliException($"409 Conflict: {await DescribeAsync(response, cancellationToken)}");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<ConnectorResponse> FindAsync(string name, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliException($"No connector named \"{name}\" (zenith connectors list shows them).");

    /// <summary>No body, as JSON: a keyless service takes changes only as JSON (what a cross-site form cannot send), with or without a body.</summary>
    private static StringContent EmptyJson() => new(string.Empty, System.Text.Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        else if (method != HttpMethod.Get)
        {
            request.Content = EmptyJson();
        }

        return await EnsureSuccessAsync(await SendRawAsync(request, cancellationToken), cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach Zenith at {http.BaseAddress}: {e.Message}");
        }
    }

    private static async Task<HttpResponseMessage> EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new CliException(await DescribeAsync(response, cancellationToken));
        }
    }

    /// <summary>
    /// A problem document as one line, each message once: the field errors when there are any (the detail repeats them),
    /// else the detail, else the title.
    /// </summary>
    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonNode.Parse(text);
            var errors = problem?["errors"]?.AsObject().Select(e => $"{e.Key}: {e.Value?[0]}").ToList() ?? [];
            var said = errors.Count > 0 ? string.Join("; ", errors) : problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>() ?? string.Empty;
            return $"{(int)response.StatusCode} {response.StatusCode}: {said}";
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
