using System.Net;
using System.Net.Http.Headers;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>Auth, health, the dashboard's static files and the docs: what the host serves besides the API.</summary>
public class HostTests
{
    private const string Key = "k3y-for-tests";

    [Fact]
    public async Task With_an_api_key_the_api_needs_the_bearer_header_and_health_and_metrics_stay_open()
    {
        using var app = new ZenithApp(settings: new() { ["auth:api_key"] = Key });
        using var client = app.CreateClient();

        var (missing, problem) = await client.SendAsync(HttpMethod.Get, "/api/connectors");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("Authorization: Bearer", problem.Str("detail"), StringComparison.Ordinal);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/connectors")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/connectors")).StatusCode);

        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Protect_metrics_puts_metrics_behind_the_key()
    {
        using var app = new ZenithApp(settings: new() { ["auth:api_key"] = Key, ["auth:protect_metrics"] = "true" });
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Ready_reports_sqlite_and_the_scheduler()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal("healthy", ready.Str("status"));
        Assert.Equal("healthy", ready["checks"]!["sqlite"].Str("status"));
        Assert.Equal("healthy", ready["checks"]!["scheduler"].Str("status"));
        Assert.True(File.Exists(app.DatabasePath), "the SQLite file is where metadata_storage.path says");
    }

    /// <summary>Issue 14, item 7: health is open to anyone, so it never returns SQLite's exception text; the service log has it.</summary>
    [Fact]
    public async Task Ready_reports_an_unreadable_database_without_its_exception_text()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { app.DatabasePath + "-wal", app.DatabasePath + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }

        await File.WriteAllBytesAsync(app.DatabasePath, System.Text.Encoding.ASCII.GetBytes(new string('x', 8192)));
        var (ready, health) = await client.SendAsync(HttpMethod.Get, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("The metadata database cannot be read; the service log says why.", health!["checks"]!["sqlite"].Str("description"));
        Assert.DoesNotContain("SQLite Error", health.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(app.Logs.Lines, l => l.Contains("metadata database cannot be read", StringComparison.Ordinal) && l.Contains("SqliteException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_built_dashboard_the_root_says_so_in_plain_text()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var root = await client.GetAsync("/");
        Assert.Equal("text/plain", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("dashboard is not built", await root.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs")).StatusCode);
    }

    [Fact]
    public async Task A_built_dashboard_is_served_with_index_html_for_client_routes_but_not_for_the_api()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(directory.Path, "wwwroot"));
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "wwwroot", "index.html"), "<!doctype html><title>Zenith dashboard</title>");
        using var app = new ZenithApp(directory.Path);
        using var client = app.CreateClient();
        Assert.Contains("Zenith dashboard", await client.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("Zenith dashboard", await client.GetStringAsync("/connectors/12/runs"), StringComparison.Ordinal);
        var api = await client.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        // The SPA's fallback must not swallow routing's own answers on the API's paths.
        using var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/connectors") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.SendAsync(patch)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/health/nothing")).StatusCode);
    }
}
