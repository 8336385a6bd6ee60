using Zenith.Service.Metadata;

namespace Zenith.Service.Tests.Metadata;

public class ConnectionUriTests
{
    [Theory]
    [InlineData("mongodb://user:secret@mongo:27017/?authSource=admin", "mongodb://user:***@mongo:27017/?authSource=admin", "secret")]
    [InlineData("mongodb://u:p%40ss@h1:1,h2:2,h3:3/db?replicaSet=rs", "mongodb://u:***@h1:1,h2:2,h3:3/db?replicaSet=rs", "p%40ss")]
    [InlineData("mongodb+srv://u:pw@cluster.example.net/", "mongodb+srv://u:***@cluster.example.net/", "pw")]
    [InlineData("http://default:secret@clickhouse:8123", "http://default:***@clickhouse:8123", "secret")]
    [InlineData("https://x:a/b@host:8443/path", "https://x:***@host:8443/path", "a/b")]
    [InlineData("mongodb://mongo:27017/", "mongodb://mongo:27017/", null)]
    [InlineData("http://default@clickhouse:8123", "http://default@clickhouse:8123", null)]
    [InlineData("http://default:@clickhouse:8123", "http://default:@clickhouse:8123", null)]
    public void Split_masks_the_password_and_keeps_the_rest(string uri, string masked, string? password)
    {
        Assert.Equal((masked, password), ConnectionUri.Split(uri));
        Assert.Equal(uri, ConnectionUri.WithPassword(masked, password));
    }

    [Theory]
    [InlineData("http://default:***@ch:8123", "http://default:pw@ch:8123", "http://default:pw@ch:8123")]
    [InlineData("http://default@ch:8123", "http://default:pw@ch:8123", "http://default:pw@ch:8123")]
    [InlineData("http://default:new@ch:8123", "http://default:pw@ch:8123", "http://default:new@ch:8123")]
    [InlineData("http://default:***@ch:8123", "http://ch:8123", "http://default@ch:8123")]
    public void KeepStoredPassword_follows_the_update_rule(string sent, string stored, string expected) =>
        Assert.Equal(expected, ConnectionUri.KeepStoredPassword(sent, stored));

    [Fact]
    public void WithoutPassword_drops_only_the_password() =>
        Assert.Equal("mongodb://app@h1:1,h2:2/?authSource=admin", ConnectionUri.WithoutPassword("mongodb://app:***@h1:1,h2:2/?authSource=admin"));

    [Fact]
    public void WithPassword_adds_a_password_to_a_user_without_one() =>
        Assert.Equal("http://default:pw@ch:8123", ConnectionUri.WithPassword("http://default@ch:8123", "pw"));
}
