using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Retries;
using Zenith.TestServers.ClickHouse;

namespace Zenith.Sync.Tests;

/// <summary>
/// ClickHouse's accounts as a secured server has them: a wrong password, and a user without the grants a run needs. A server of
/// its own with access management (the one given by ZENITH_TEST_CLICKHOUSE_URL when set, whose user must manage access).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ClickHouseAccountErrorTests(Servers servers) : IAsyncLifetime
{
    private ClickHouseTestServer? own;
    private string adminUrl = string.Empty;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(ClickHouseFixture.UrlVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            own = await ClickHouseTestServer.StartAsync("zenith_admin", "adm1n-pw");
            adminUrl = new UriBuilder(own.Url) { UserName = "zenith_admin", Password = "adm1n-pw" }.Uri.ToString().TrimEnd('/');
        }
        else
        {
            adminUrl = external.Trim();
        }
    }

    public async Task DisposeAsync()
    {
        if (own is not null)
        {
            await own.DisposeAsync();
        }
    }

    private static SyncEngine Engine() => new(new SyncEngineOptions { Retry = RetryPolicy.None, ConnectTimeout = TimeSpan.FromSeconds(3) });

    private string WithUser(string user, string password)
    {
        var url = new Uri(Zenith.Core.Connections.ConnectionString.Parse(adminUrl).Masked);
        return $"{url.Scheme}://{user}:{password}@{url.Host}:{url.Port}";
    }

    [Fact]
    public async Task A_wrong_password_names_the_user_and_never_the_password()
    {
        var check = await Engine().TestDestinationAsync(new DestinationSpec(WithUser("zenith_admin", "wr0ng-pw"), "analytics", "t"), default);
        Assert.False(check.Ok);
        var url = new Uri(Zenith.Core.Connections.ConnectionString.Parse(adminUrl).Masked);
        Assert.Equal($"ClickHouse at {url.Host}:{url.Port}: authentication failed for user 'zenith_admin'", check.Message);
        Assert.DoesNotContain("wr0ng-pw", check.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_by_a_user_without_the_grant_to_create_says_which_grant_it_needs()
    {
        // The test server's engine keeps users in its configuration only: there its 'default' user (no password, from loopback)
        // may run nothing but what the server itself needs. A real server gets a user of the test's own.
        var user = own is null ? "reader_" + Guid.NewGuid().ToString("N")[..8] : "default";
        var password = own is null ? "r3ader-pw" : string.Empty;
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        using var admin = new global::ClickHouse.Driver.ClickHouseClient(ClickHouseConnectionStrings.FromUrl(adminUrl));
        try
        {
            await servers.Collection(connector).InsertOneAsync(new BsonDocument("_id", 1));
            if (own is null)
            {
                await admin.ExecuteNonQueryAsync($"CREATE USER {user} IDENTIFIED BY '{password}'");
                await admin.ExecuteNonQueryAsync($"GRANT SELECT ON system.* TO {user}");
            }

            var run = await Engine().RunAsync(
                connector with { Destination = connector.Destination with { Uri = WithUser(user, password) } }, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.Equal(SyncOutcome.Failed, run.Outcome);
            var url = new Uri(Zenith.Core.Connections.ConnectionString.Parse(adminUrl).Masked);
            Assert.Equal($"ClickHouse at {url.Host}:{url.Port}: user '{user}' lacks the grant CREATE DATABASE ON {connector.Destination.Database}.*", run.Error);
            Assert.Contains("ACCESS_DENIED", run.ErrorDetail!, StringComparison.Ordinal);
        }
        finally
        {
            if (own is null)
            {
                await admin.ExecuteNonQueryAsync($"DROP USER IF EXISTS {user}");
            }

            await servers.Mongo.Client.DropDatabaseAsync(connector.Source.Database);
        }
    }
}
