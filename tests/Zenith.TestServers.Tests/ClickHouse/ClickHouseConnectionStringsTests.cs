using ClickHouse.Driver.ADO;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

public sealed class ClickHouseConnectionStringsTests
{
    [Fact]
    public void Url_with_credentials_port_and_database_becomes_driver_settings()
    {
        var builder = new ClickHouseConnectionStringBuilder(ClickHouseConnectionStrings.FromUrl("https://ana:p%40ss%3Bw0rd@ch.example:9443/?database=analytics"));

        Assert.Equal("https", builder.Protocol);
        Assert.Equal("ch.example", builder.Host);
        Assert.Equal(9443, builder.Port);
        Assert.Equal("ana", builder.Username);
        Assert.Equal("p@ss;w0rd", builder.Password);
        Assert.Equal("analytics", builder.Database);
    }

    [Fact]
    public void Url_without_credentials_uses_the_driver_defaults()
    {
        var builder = new ClickHouseConnectionStringBuilder(ClickHouseConnectionStrings.FromUrl("http://127.0.0.1:8123"));

        Assert.Equal("http", builder.Protocol);
        Assert.Equal(8123, builder.Port);
        Assert.Equal("default", builder.Username);
        Assert.Equal(string.Empty, builder.Password);
    }

    [Theory]
    [InlineData("localhost:8123")]
    [InlineData("tcp://localhost:9000")]
    [InlineData("not a url")]
    public void Anything_but_an_http_url_is_refused(string url) =>
        Assert.Throws<ArgumentException>(() => ClickHouseConnectionStrings.FromUrl(url));

    [Fact]
    public void Redact_removes_the_password() =>
        Assert.Equal("http://host:8123/", ClickHouseConnectionStrings.Redact("http://u:secret@host:8123"));
}
