using Zenith.Core.Connections;

namespace Zenith.Core.Tests;

public sealed class ConnectionStringTests
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
    public void Masked_hides_the_password_and_keeps_the_rest(string uri, string masked, string? password)
    {
        var parsed = ConnectionString.Parse(uri);
        Assert.Equal((masked, password), (parsed.Masked, parsed.Password));
        Assert.Equal(uri, ConnectionString.Parse(masked).WithPassword(password));
    }

    [Fact]
    public void Several_hosts_options_and_an_encoded_user_are_read()
    {
        var parsed = ConnectionString.Parse("mongodb://app%2Bx:p%40ss@h1:1,[::1]:2,h3/db?replicaSet=rs&authSource=admin");
        Assert.Equal("mongodb", parsed.Scheme);
        Assert.Equal("app+x", parsed.UserName);
        Assert.Equal("p@ss", parsed.DecodedPassword);
        Assert.Equal([new HostPort("h1", 1), new HostPort("[::1]", 2), new HostPort("h3", null)], parsed.Hosts);
        Assert.Equal("h1:1,[::1]:2,h3:27017", parsed.HostList);
        Assert.Equal("/db", parsed.Path);
        Assert.Equal("admin", parsed.Options["AUTHSOURCE"]);
        Assert.Equal("clickhouse:80", ConnectionString.Parse("http://clickhouse").HostList);
    }

    [Fact]
    public void Text_that_is_no_uri_has_no_parts_and_masks_to_itself()
    {
        var parsed = ConnectionString.Parse("not a url: pw@x");
        Assert.Equal(string.Empty, parsed.Scheme);
        Assert.Null(parsed.Password);
        Assert.Empty(parsed.Hosts);
        Assert.Equal("not a url: pw@x", parsed.Masked);
    }

    [Fact]
    public void WithoutPassword_drops_only_the_password() =>
        Assert.Equal("mongodb://app@h1:1,h2:2/?authSource=admin", ConnectionString.Parse("mongodb://app:***@h1:1,h2:2/?authSource=admin").WithoutPassword());

    [Fact]
    public void WithPassword_adds_a_password_to_a_user_without_one() =>
        Assert.Equal("http://default:pw@ch:8123", ConnectionString.Parse("http://default@ch:8123").WithPassword("pw"));

    [Theory]
    [InlineData("http://default:***@ch:8123", "http://default:pw@ch:8123", "http://default:pw@ch:8123", PasswordChoice.Reused)]
    [InlineData("http://default@ch:8123", "http://default:pw@ch:8123", "http://default:pw@ch:8123", PasswordChoice.Reused)]
    [InlineData("http://default:new@ch:8123", "http://default:pw@ch:8123", "http://default:new@ch:8123", PasswordChoice.AsSent)]
    [InlineData("http://default:***@ch:8123", "http://ch:8123", "http://default@ch:8123", PasswordChoice.MaskDropped)]
    [InlineData("http://default:***@ch:8123", null, "http://default@ch:8123", PasswordChoice.MaskDropped)]
    [InlineData("http://default@ch:8123", null, "http://default@ch:8123", PasswordChoice.AsSent)]
    [InlineData("mongodb://app:***@h2:2,H1:1/other?authSource=admin&w=1", "mongodb://app:pw@h1:1,h2:2/db?authSource=admin", "mongodb://app:pw@h2:2,H1:1/other?authSource=admin&w=1", PasswordChoice.Reused)]
    [InlineData("mongodb://app:***@mongo/", "mongodb://app:pw@mongo:27017/", "mongodb://app:pw@mongo/", PasswordChoice.Reused)]
    public void A_masked_or_missing_password_takes_the_stored_one_for_the_same_endpoint(string sent, string? stored, string expected, PasswordChoice choice) =>
        Assert.Equal(new PasswordReuse(expected, choice), ConnectionString.Parse(sent).ReuseStoredPassword(stored is null ? null : ConnectionString.Parse(stored)));

    /// <summary>The exfiltration of the hardening issue (14, item 1): an edit that points the stored password at another server or user.</summary>
    [Theory]
    [InlineData("http://default:***@some-other-host:8123")]
    [InlineData("http://default:***@ch:8124")]
    [InlineData("https://default:***@ch:8123")]
    [InlineData("http://admin:***@ch:8123")]
    public void A_masked_password_is_never_reused_for_another_clickhouse_endpoint(string sent)
    {
        var reuse = ConnectionString.Parse(sent).ReuseStoredPassword(ConnectionString.Parse("http://default:pw@ch:8123"));
        Assert.Equal(new PasswordReuse(sent, PasswordChoice.MaskRefused), reuse);
    }

    [Theory]
    [InlineData("mongodb://app:***@other:27017/?authSource=admin")]
    [InlineData("mongodb://app:***@mongo:27017,other:27017/?authSource=admin")]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin&authMechanism=PLAIN")]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=other")]
    [InlineData("mongodb+srv://app:***@mongo/?authSource=admin")]
    public void A_masked_password_is_never_reused_for_another_mongodb_endpoint_or_mechanism(string sent)
    {
        var reuse = ConnectionString.Parse(sent).ReuseStoredPassword(ConnectionString.Parse("mongodb://app:pw@mongo:27017/?authSource=admin"));
        Assert.Equal(PasswordChoice.MaskRefused, reuse.Choice);
    }

    [Fact]
    public void A_missing_password_for_another_endpoint_stays_missing()
    {
        var reuse = ConnectionString.Parse("http://default@elsewhere:8123").ReuseStoredPassword(ConnectionString.Parse("http://default:pw@ch:8123"));
        Assert.Equal(new PasswordReuse("http://default@elsewhere:8123", PasswordChoice.AsSent), reuse);
    }

    [Fact]
    public void Redact_hides_the_connectors_passwords_as_written_and_decoded_and_any_uri_password()
    {
        const string uri = "mongodb://app:p%40ss@mongo:27017/";
        var text = $"connect to {uri} failed; server said p@ss and p%40ss; also http://u:other@h:1/x and ftp://a:b@c";
        Assert.Equal(
            "connect to mongodb://app:***@mongo:27017/ failed; server said *** and ***; also http://u:***@h:1/x and ftp://a:***@c",
            Redaction.Redact(text, uri, null, "http://ch:8123"));
    }

    [Fact]
    public void Redact_leaves_text_without_secrets_alone() =>
        Assert.Equal("ClickHouse at ch:8123 refused the connection", Redaction.Redact("ClickHouse at ch:8123 refused the connection", "http://default:@ch:8123", "http://default:***@ch:8123"));

    /// <summary>Issue 14, item 5: secrets outside the user-info are masked like the password.</summary>
    [Theory]
    [InlineData("mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:FwoGZX1Ab,SERVICE_NAME:x", "mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:***,SERVICE_NAME:x")]
    [InlineData("mongodb://u:pw@h/?tls=true&tlsCertificateKeyFile=/k.pem&tlsCertificateKeyFilePassword=k3y", "mongodb://u:***@h/?tls=true&tlsCertificateKeyFile=/k.pem&tlsCertificateKeyFilePassword=***")]
    [InlineData("http://ch:8123/?user=default&password=s3cret&database=x", "http://ch:8123/?user=default&password=***&database=x")]
    [InlineData("mongodb://h/?proxyHost=p&proxyUsername=u&proxyPassword=pp", "mongodb://h/?proxyHost=p&proxyUsername=u&proxyPassword=***")]
    [InlineData("mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN%3Atok", "mongodb://h/?authMechanismProperties=***")]
    public void Secret_options_are_masked_like_the_password(string uri, string masked)
    {
        var parsed = ConnectionString.Parse(uri);
        Assert.Equal(masked, parsed.Masked);
        Assert.Equal(uri, ConnectionString.Parse(masked).WithSecrets(parsed.Secrets));
        Assert.True(ConnectionString.Parse(masked).HasMaskedSecret);
        Assert.False(parsed.HasMaskedSecret);
    }

    [Fact]
    public void A_masked_option_with_nothing_stored_is_dropped_with_its_name()
    {
        Assert.Equal("mongodb://h/?tls=true", ConnectionString.Parse("mongodb://h/?tls=true&tlsCertificateKeyFilePassword=***").WithoutMaskedSecrets());
        Assert.Equal("mongodb://h/?tls=true", ConnectionString.Parse("mongodb://h/?tlsCertificateKeyFilePassword=***&tls=true").WithoutMaskedSecrets());
        Assert.Equal("http://ch:8123/", ConnectionString.Parse("http://ch:8123/?password=***").WithoutMaskedSecrets());
        var reuse = ConnectionString.Parse("http://u:***@ch:8123/?password=***").ReuseStoredPassword(null);
        Assert.Equal(new PasswordReuse("http://u@ch:8123/", PasswordChoice.MaskDropped), reuse);
    }

    [Fact]
    public void Masked_options_take_the_stored_values_for_the_same_endpoint_only()
    {
        var stored = ConnectionString.Parse("mongodb://u:pw@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok&tlsCertificateKeyFilePassword=k");
        var sent = ConnectionString.Parse(stored.Masked + "&readPreference=secondary");
        Assert.Equal(new PasswordReuse(stored.Text + "&readPreference=secondary", PasswordChoice.Reused), sent.ReuseStoredPassword(stored));

        var elsewhere = ConnectionString.Parse(stored.Masked.Replace("@h/", "@evil/", StringComparison.Ordinal));
        Assert.Equal(PasswordChoice.MaskRefused, elsewhere.ReuseStoredPassword(stored).Choice);
    }

    /// <summary>Item 1, strictly: anything that changes where a secret goes or how it travels needs it typed again.</summary>
    [Theory]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin&tls=false")]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin&tlsAllowInvalidCertificates=true")]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin&proxyHost=evil&proxyPort=1080")]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin&authMechanismProperties=SERVICE_NAME:x")]
    [InlineData("mongodb://app:***@mongo:27017/other")]
    [InlineData("mongodb://App:***@mongo:27017/?authSource=admin")]
    public void A_masked_password_is_not_reused_when_tls_proxy_or_auth_options_change(string sent)
    {
        var reuse = ConnectionString.Parse(sent).ReuseStoredPassword(ConnectionString.Parse("mongodb://app:pw@mongo:27017/?authSource=admin"));
        Assert.Equal(PasswordChoice.MaskRefused, reuse.Choice);
    }

    [Theory]
    [InlineData("http://default:***@ch:8123/other-proxy-path", PasswordChoice.MaskRefused)]
    [InlineData("http://default:***@ch:8123/", PasswordChoice.Reused)]
    [InlineData("http://default:***@CH:8123", PasswordChoice.Reused)]
    public void An_http_path_is_part_of_the_endpoint(string sent, PasswordChoice choice) =>
        Assert.Equal(choice, ConnectionString.Parse(sent).ReuseStoredPassword(ConnectionString.Parse("http://default:pw@ch:8123")).Choice);

    [Fact]
    public void The_authentication_database_is_the_path_when_no_auth_source_is_given()
    {
        var stored = ConnectionString.Parse("mongodb://app:pw@mongo/sales");
        Assert.Equal(PasswordChoice.Reused, ConnectionString.Parse("mongodb://app:***@mongo/?authSource=sales").ReuseStoredPassword(stored).Choice);
        Assert.Equal(PasswordChoice.MaskRefused, ConnectionString.Parse("mongodb://app:***@mongo/").ReuseStoredPassword(stored).Choice);
    }

    [Fact]
    public void Redact_hides_secret_options_of_the_connector_and_of_any_uri()
    {
        const string uri = "mongodb://u@h/?authMechanismProperties=AWS_SESSION_TOKEN:FwoG%2Fzz&tlsCertificateKeyFilePassword=k3y-pw";
        var text = $"failed {uri}; token FwoG/zz and k3y-pw; other http://ch/?password=abc&x=1 and AWS_SESSION_TOKEN:zzz; unexpected token: '}}'";
        Assert.Equal(
            "failed mongodb://u@h/?authMechanismProperties=AWS_SESSION_TOKEN:***&tlsCertificateKeyFilePassword=***; token *** and ***; other http://ch/?password=***&x=1 and AWS_SESSION_TOKEN:***; unexpected token: '}'",
            Redaction.Redact(text, uri));
    }

    [Fact]
    public void The_records_that_carry_uris_print_them_masked()
    {
        var source = new Zenith.Core.Connectors.SourceSpec("mongodb://u:Pa55@h/?tlsCertificateKeyFilePassword=K3y", "db", "c");
        var destination = new Zenith.Core.Connectors.DestinationSpec("http://u:Pa55@ch:8123", "db", "t");
        var reuse = new PasswordReuse("http://u:Pa55@ch:8123", PasswordChoice.Reused);
        foreach (var text in new[] { source.ToString(), destination.ToString(), reuse.ToString(), ConnectionString.Parse(source.Uri).ToString() })
        {
            Assert.DoesNotContain("Pa55", text, StringComparison.Ordinal);
            Assert.DoesNotContain("K3y", text, StringComparison.Ordinal);
            Assert.Contains("***", text, StringComparison.Ordinal);
        }
    }
}
