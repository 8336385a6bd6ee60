using ClickHouse.Driver;
using Zenith.TestServers.ClickHouse;
using Zenith.TestServers.Mongo;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>
/// The real ends for the service tests: a MongoDB (wire-protocol test server or ZENITH_TEST_MONGO_URI) and a ClickHouse
/// that demands a password (so the tests can prove it never leaks), or ZENITH_TEST_CLICKHOUSE_URL.
/// </summary>
public sealed class ServiceServers : IAsyncLifetime
{
    public const string ClickHouseUser = "zenith_test";
    public const string ClickHousePassword = "Ch-S3cret-pa55";

    private readonly MongoFixture mongo = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<string> clickHouseDatabases = [];
    private ClickHouseTestServer? server;

    public MongoFixture Mongo => mongo;

    /// <summary>The ClickHouse HTTP URL with credentials, as a connector's destination.uri.</summary>
    public string ClickHouseUri { get; private set; } = "";

    /// <summary>The password in <see cref="ClickHouseUri"/> (to search for leaks).</summary>
    public string? Password { get; private set; }

    public ClickHouseClient ClickHouse { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await mongo.InitializeAsync();
        var external = Environment.GetEnvironmentVariable(ClickHouseFixture.UrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            ClickHouseUri = external.Trim();
            Password = new Uri(ClickHouseUri).UserInfo.Split(':', 2) is [_, var p] ? Uri.UnescapeDataString(p) : null;
            ClickHouse = new ClickHouseClient(ClickHouseConnectionStrings.FromUrl(ClickHouseUri));
            return;
        }

        server = await ClickHouseTestServer.StartAsync(ClickHouseUser, ClickHousePassword);
        var url = new Uri(server.Url);
        ClickHouseUri = $"http://{ClickHouseUser}:{ClickHousePassword}@{url.Host}:{url.Port}";
        Password = ClickHousePassword;
        ClickHouse = new ClickHouseClient(server.ConnectionString);
    }

    /// <summary>A ClickHouse database name no other test uses; dropped when the fixture is disposed (a real server is left as it was).</summary>
    public string NewClickHouseDatabase(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        clickHouseDatabases.Add(name);
        return name;
    }

    public async Task DisposeAsync()
    {
        foreach (var name in clickHouseDatabases)
        {
            await ClickHouse.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS `{name}`");
        }

        ClickHouse?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        await mongo.DisposeAsync();
    }

    public async Task<long> CountAsync(string database, string table) =>
        Convert.ToInt64(await ClickHouse.ExecuteScalarAsync($"SELECT count() FROM `{database}`.`{table}` FINAL"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The table's columns as "name type", in order.</summary>
    public async Task<string> ColumnsAsync(string database, string table) =>
        Convert.ToString(await ClickHouse.ExecuteScalarAsync(
            $"SELECT arrayStringConcat(groupArray(concat(name, ' ', type)), ', ') FROM (SELECT name, type FROM system.columns WHERE database = '{database}' AND table = '{table}' ORDER BY position)"),
            System.Globalization.CultureInfo.InvariantCulture) ?? "";
}

[CollectionDefinition(Name)]
public sealed class ServiceServersCollection : ICollectionFixture<ServiceServers>
{
    public const string Name = "Service servers";
}
