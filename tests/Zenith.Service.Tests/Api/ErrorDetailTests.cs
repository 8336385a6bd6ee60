using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// A failure reads as one short line wherever a person meets it (the run, its log line, the connection test, the preview); the
/// drivers' full text comes apart, as the details a person may open, passwords masked.
/// </summary>
[Collection(ServiceServersCollection.Name)]
public sealed class ErrorDetailTests(ServiceServers servers)
{
    private const string MistypedUri = "mongodb://zenith:s3cret-pw@zenith-typo.invalid:27017/?serverSelectionTimeoutMS=1000";

    [Fact]
    public async Task A_mistyped_host_is_one_line_in_the_run_the_log_the_test_and_the_preview_with_the_drivers_text_apart()
    {
        // The drivers' text goes to the service log at debug level: a user turns that on for Zenith's categories.
        using var app = new ZenithApp(settings: new() { ["Logging:LogLevel:Zenith"] = "Debug" });
        using var client = app.CreateClient();
        var chDb = servers.NewClickHouseDatabase("err");
        var line = "MongoDB host zenith-typo.invalid not found (DNS lookup failed)";
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("typo", servers, "monitoring", "visits", chDb, sourceUri: MistypedUri), expected: 201)).Number("id");

        var connector = await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "failed", "the first run to fail");
        var run = connector["lastResult"]!;
        Assert.Equal(line, run.Str("error"));
        var detail = run.Str("errorDetail")!;
        Assert.Contains("MongoDB.Driver", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", detail, StringComparison.Ordinal);

        var failed = await client.UntilAsync($"/api/logs?connectorId={id}&level=error", l => l.AsArray().Count > 0, "the run's error line");
        var logLine = failed.AsArray()[0]!;
        Assert.EndsWith(line, logLine.Str("message"), StringComparison.Ordinal);
        Assert.Equal(detail, logLine.Str("detail"));

        var test = await client.PostJsonAsync($"/api/connectors/{id}/test");
        Assert.Equal(line, test["source"].Str("message"));
        Assert.Contains("MongoDB.Driver", test["source"].Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", test["source"].Str("detail"), StringComparison.Ordinal);

        var (response, problem) = await client.SendAsync(HttpMethod.Get, $"/api/connectors/{id}/preview");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal($"{line} Check the source with POST /api/connectors/{id}/test.", problem.Str("detail"));
        Assert.Contains("MongoDB.Driver", problem.Str("errorDetail"), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", problem!.ToJsonString(), StringComparison.Ordinal);

        // The service log has the drivers' text at debug level, never the password.
        var debug = app.Logs.Lines.Where(l => l.StartsWith("Debug ", StringComparison.Ordinal) && l.Contains("the drivers said", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(debug);
        Assert.All(debug, l => Assert.DoesNotContain("s3cret-pw", l, StringComparison.Ordinal));
    }
}
