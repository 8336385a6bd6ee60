using ClickHouse.Driver;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>A server of its own that requires credentials, as a secured ClickHouse does.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private ClickHouseTestServer server = null!;

    public async Task InitializeAsync() => server = await ClickHouseTestServer.StartAsync("zenith", "s3cr:et@");

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Right_credentials_are_accepted()
    {
        using var client = new ClickHouseClient(server.ConnectionString);

        Assert.Equal((byte)1, await client.ExecuteScalarAsync("SELECT 1"));
    }

    [Fact]
    public async Task Wrong_password_is_code_516_authentication_failed()
    {
        var connectionString = ClickHouseConnectionStrings.FromUrl(server.Url, "zenith", "wrong");
        using var client = new ClickHouseClient(connectionString);

        var error = await Assert.ThrowsAsync<ClickHouseServerException>(() => client.ExecuteScalarAsync("SELECT 1"));

        Assert.Equal(516, error.ErrorCode);
        Assert.Contains("AUTHENTICATION_FAILED", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_a_url_reach_the_server()
    {
        var url = new UriBuilder(server.Url) { UserName = "zenith", Password = Uri.EscapeDataString("s3cr:et@") }.Uri.ToString();
        using var client = new ClickHouseClient(ClickHouseConnectionStrings.FromUrl(url));

        Assert.Equal((byte)1, await client.ExecuteScalarAsync("SELECT 1"));
    }
}
