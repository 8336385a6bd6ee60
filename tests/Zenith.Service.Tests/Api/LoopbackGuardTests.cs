using System.Net;
using System.Net.Http.Headers;
using Zenith.Service.Auth;
using Zenith.Service.Configuration;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// Issue 14, items 2 and 3: without an API key the service answers only requests addressed to a loopback name, and takes
/// changes only as JSON from its own pages or this machine. What a web page can send (a form, a rebound host name) is refused
/// and changes nothing; what the dashboard, the CLI and curl send passes. The browser's side is in tests/e2e/hardening.test.mjs.
/// </summary>
public sealed class LoopbackGuardTests
{
    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8080")]
    [InlineData("127.0.0.1.nip.io:8080")]
    [InlineData("localhost.evil.example")]
    [InlineData("10.0.0.5:8080")]
    public async Task A_request_for_another_host_name_is_refused_even_a_read(string host)
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/connectors");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("loopback", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:8080")]
    [InlineData("dashboard.localhost:8080")]
    public async Task Loopback_names_are_served(string host)
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/connectors");
        request.Headers.Host = host;
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    public static TheoryData<string, string?, string?, string?, int> Hostile => new()
    {
        // What a cross-site HTML form sends (no preflight): refused whatever its content type.
        { "/resume", "application/x-www-form-urlencoded", "https://evil.example", "cross-site", 403 },
        { "/resume", "text/plain", null, "cross-site", 403 },
        { "/sync", "multipart/form-data; boundary=x", "https://evil.example", null, 403 },
        // A form from a page without an Origin (or a privacy setting that strips it): not JSON.
        { "/resume", "application/x-www-form-urlencoded", null, null, 415 },
        { "/resume", null, null, null, 415 },
        { "/test", "text/plain", null, null, 415 },
        // JSON from a foreign origin, or from an opaque one (sandboxed frame, file://).
        { "/resume", "application/json", "https://evil.example", null, 403 },
        { "/resume", "application/json", "null", null, 403 },
        { "/resume", "application/json", "http://127.0.0.1.evil.example:8080", "cross-site", 403 },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_state_change_a_web_page_could_send_is_refused_and_changes_nothing(string action, string? contentType, string? origin, string? fetchSite, int status)
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Connector(), expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
        var before = (await client.GetJsonAsync($"/api/connectors/{id}")).ToJsonString();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/connectors/{id}{action}");
        if (contentType is not null)
        {
            request.Content = new StringContent("a=1", System.Text.Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (await client.GetJsonAsync($"/api/connectors/{id}")).ToJsonString());
    }

    [Fact]
    public async Task The_dashboard_the_cli_and_curl_from_this_machine_pass()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Connector(), expected: 201)).Number("id");

        // The dashboard: same origin, JSON, the browser says same-origin.
        using var dashboard = new HttpRequestMessage(HttpMethod.Post, $"/api/connectors/{id}/pause") { Content = Json() };
        dashboard.Headers.Add("Origin", "http://127.0.0.1:8080");
        dashboard.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(dashboard)).StatusCode);

        // The Vite dev server's proxy: another loopback port, same site.
        using var dev = new HttpRequestMessage(HttpMethod.Post, $"/api/connectors/{id}/resume") { Content = Json() };
        dev.Headers.Add("Origin", "http://localhost:5173");
        dev.Headers.Add("Sec-Fetch-Site", "same-site");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(dev)).StatusCode);

        // curl -X POST -H 'content-type: application/json' (no Origin), and a DELETE (no body, never sent cross-site without a preflight).
        using var curl = new HttpRequestMessage(HttpMethod.Post, $"/api/connectors/{id}/pause") { Content = Json() };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(curl)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/connectors/{id}")).StatusCode);
    }

    [Fact]
    public async Task With_an_api_key_the_key_is_the_guard()
    {
        using var app = new ZenithApp(settings: new() { ["auth:api_key"] = "guard-key" });
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/connectors");
        request.Headers.Host = "zenith.internal.example";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guard-key");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        using var form = new HttpRequestMessage(HttpMethod.Post, "/api/connectors/1/pause") { Content = new StringContent("a=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        form.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(form)).StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://192.168.1.20:8080")]
    [InlineData("http://127.0.0.1:8080;http://[::]:8081")]
    public void Bound_addresses_that_are_not_loopback_stop_a_keyless_service(string bound)
    {
        var error = ZenithHost.CheckBoundAddresses(bound.Split(';'), new ZenithOptions());
        Assert.StartsWith("Refusing to serve: Zenith is listening on", error, StringComparison.Ordinal);
        Assert.Contains("auth.api_key", error, StringComparison.Ordinal);
        Assert.Null(ZenithHost.CheckBoundAddresses(bound.Split(';'), new ZenithOptions { Auth = { ApiKey = "k" } }));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080")]
    public void Loopback_bound_addresses_pass(string bound) => Assert.Null(ZenithHost.CheckBoundAddresses([bound], new ZenithOptions()));

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]", true)]
    [InlineData("a.b.localhost", true)]
    [InlineData("localhost.example", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("", false)]
    public void Loopback_names(string host, bool loopback) => Assert.Equal(loopback, LoopbackGuard.IsLoopbackName(host));

    private static StringContent Json() => new(string.Empty, System.Text.Encoding.UTF8, "application/json");

    private static object Connector() => new
    {
        name = "guarded_" + Guid.NewGuid().ToString("N")[..8],
        source = new { uri = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500", database = "monitoring", collection = "visits" },
        destination = new { uri = "http://127.0.0.1:1", database = "analytics", table = "visits" },
        mode = "incremental_id",
        intervalSeconds = 3600,
    };
}
