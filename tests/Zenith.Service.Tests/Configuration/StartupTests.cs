using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Configuration;

/// <summary>The real binary, started as a user would: a bad setting stops it with one line and exit code 1.</summary>
public class StartupTests
{
    [Fact]
    public async Task A_bad_setting_from_the_environment_stops_the_service_with_one_line()
    {
        var (exit, stderr) = await RunZenithAsync(new() { ["ZENITH_processing__max_parallel_jobs"] = "0" });
        Assert.Equal(1, exit);
        Assert.Equal(["Invalid configuration: processing.max_parallel_jobs must be between 1 and 64 (got 0)"], stderr);
    }

    [Fact]
    public async Task A_bad_setting_from_zenith_json_stops_the_service_with_one_line()
    {
        using var directory = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "zenith.json"), """{ "retention": { "max_log_entries": 1000 } }""");
        var (exit, stderr) = await RunZenithAsync([], directory.Path);
        Assert.Equal(1, exit);
        Assert.Equal(["Invalid configuration: retention.max_log_entries must be between 100 and 500 (got 1000)"], stderr);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_too()
    {
        var (exit, stderr) = await RunZenithAsync(new() { ["ZENITH_processing__batch_size"] = "lots" });
        Assert.Equal(1, exit);
        Assert.Equal(["Invalid configuration: processing.batch_size has a value of the wrong type (got \"lots\")"], stderr);
    }

    [Fact]
    public async Task Without_an_api_key_a_public_address_is_refused()
    {
        var (exit, stderr) = await RunZenithAsync(new() { ["ZENITH_server__urls"] = "http://0.0.0.0:0" });
        Assert.Equal(1, exit);
        var line = Assert.Single(stderr);
        Assert.StartsWith("Invalid configuration: server.urls must be loopback addresses", line, StringComparison.Ordinal);
        Assert.Contains("ZENITH_auth__api_key", line, StringComparison.Ordinal);
    }

    /// <summary>Issue 14, item 3: Kestrel's own endpoint settings win over server.urls; without a key they are refused before binding.</summary>
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://[::]:0")]
    public async Task Without_an_api_key_a_kestrel_endpoint_override_is_refused(string url)
    {
        var (exit, stderr) = await RunZenithAsync(new() { ["Kestrel__Endpoints__Http__Url"] = url });
        Assert.Equal(1, exit);
        var line = Assert.Single(stderr);
        Assert.StartsWith("Invalid configuration: Kestrel:Endpoints:Http:Url listens on", line, StringComparison.Ordinal);
        Assert.Contains("ZENITH_auth__api_key", line, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string[] Stderr)> RunZenithAsync(Dictionary<string, string> environment, string? directory = null)
    {
        using var scratch = new TempDirectory();
        var (exit, _, stderr) = await ZenithProcess.RunAsync(directory ?? scratch.Path, environment, "serve");
        return (exit, stderr);
    }
}
