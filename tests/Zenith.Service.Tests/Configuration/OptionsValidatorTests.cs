using Zenith.Service.Configuration;

namespace Zenith.Service.Tests.Configuration;

public class OptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new ZenithOptionsValidator().Validate(null, new ZenithOptions()).Succeeded);

    [Theory]
    [InlineData("processing.max_parallel_jobs must be between 1 and 64 (got 0)")]
    [InlineData("retention.max_log_entries must be between 100 and 500 (got 50)")]
    [InlineData("processing.batch_size must be between 1 and 100000 (got 0)")]
    [InlineData("alerting.failure_threshold must be between 1 and 100 (got 0)")]
    [InlineData("server.urls must be http(s) URLs separated by ';' (got \"ftp://x\")")]
    [InlineData("network.allowed_hosts must list host names, *.domain, IP addresses or CIDR ranges separated by ';' (got \"10.0.0.0/40\")")]
    public void A_bad_value_is_named_as_written_in_zenith_json(string expected)
    {
        var options = new ZenithOptions();
        switch (expected.Split(' ')[0])
        {
            case "processing.max_parallel_jobs": options.Processing.MaxParallelJobs = 0; break;
            case "retention.max_log_entries": options.Retention.MaxLogEntries = 50; break;
            case "processing.batch_size": options.Processing.BatchSize = 0; break;
            case "alerting.failure_threshold": options.Alerting.FailureThreshold = 0; break;
            case "server.urls": options.Server.Urls = "ftp://x"; break;
            case "network.allowed_hosts": options.Network.AllowedHosts = "clickhouse;10.0.0.0/40"; break;
        }

        var result = new ZenithOptionsValidator().Validate(null, options);
        Assert.Equal([expected], result.Failures);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080;http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    public void Loopback_addresses_are_told_apart(string urls, bool loopback) =>
        Assert.Equal(loopback, ListenAddresses.Parse(urls).AllLoopback);
}
