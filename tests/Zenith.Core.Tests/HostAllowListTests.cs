using Zenith.Core.Connections;

namespace Zenith.Core.Tests;

/// <summary>Issue 14, item 6: the optional list of hosts Zenith may connect to (network.allowed_hosts).</summary>
public sealed class HostAllowListTests
{
    private static HostAllowList List(string setting)
    {
        var list = HostAllowList.Parse(setting, out var bad);
        Assert.Null(bad);
        return list;
    }

    [Theory]
    [InlineData("clickhouse", true)]
    [InlineData("ClickHouse.", true)]
    [InlineData("mongo-1.db.internal", true)]
    [InlineData("db.internal", false)]
    [InlineData("evil-db.internal", false)]
    [InlineData("10.1.2.3", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("192.168.7.7", true)]
    [InlineData("192.168.8.7", false)]
    [InlineData("[fd00::1]", true)]
    [InlineData("[::1]", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("metadata.google.internal", false)]
    public void Names_domains_addresses_and_ranges_are_matched_as_written(string host, bool allowed) =>
        Assert.Equal(allowed, List("clickhouse; *.db.internal, 10.0.0.0/8; 192.168.7.7; fd00::/8").Allows(host));

    [Fact]
    public void An_empty_setting_allows_every_host()
    {
        Assert.True(List("").Allows("anything.example"));
        Assert.True(HostAllowList.Any.AllowsAny);
    }

    [Fact]
    public void The_first_refused_host_of_a_connection_string_is_named()
    {
        var list = List("mongo-a;mongo-b");
        Assert.Null(list.FirstRefused(ConnectionString.Parse("mongodb://u:p@mongo-a:27017,mongo-b/?replicaSet=rs")));
        Assert.Equal("evil", list.FirstRefused(ConnectionString.Parse("mongodb://mongo-a,evil:27017/")));
        Assert.StartsWith("evil is not in network.allowed_hosts (mongo-a;mongo-b)", list.Refusal("evil"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("not a host")]
    [InlineData("*.")]
    [InlineData("http://clickhouse")]
    public void A_bad_entry_is_named(string entry)
    {
        HostAllowList.Parse("clickhouse;" + entry, out var bad);
        Assert.Equal(entry, bad);
    }
}
