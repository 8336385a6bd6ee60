using ClickHouse.Driver.ADO;

namespace Zenith.TestServers.ClickHouse;

/// <summary>Turns a ClickHouse HTTP URL into a ClickHouse.Driver connection string.</summary>
public static class ClickHouseConnectionStrings
{
    /// <summary>
    /// Converts <c>http[s]://[user[:password]@]host[:port][/path][?database=db]</c>. Credentials in the
    /// URL are percent-decoded; <paramref name="user"/>/<paramref name="password"/>, when given, win.
    /// The port is the URL's (its scheme's default when absent).
    /// </summary>
    public static string FromUrl(string url, string? user = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("Expected an http:// or https:// URL of a ClickHouse HTTP interface.", nameof(url));

        var builder = new ClickHouseConnectionStringBuilder
        {
            Protocol = uri.Scheme,
            Host = uri.IdnHost,
            Port = checked((ushort)uri.Port),
        };

        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
                builder.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        if (user is not null)
            builder.Username = user;
        if (password is not null)
            builder.Password = password;

        if (uri.AbsolutePath.Length > 1)
            builder.Path = uri.AbsolutePath;

        var database = System.Web.HttpUtility.ParseQueryString(uri.Query)["database"];
        if (!string.IsNullOrEmpty(database))
            builder.Database = database;

        return builder.ConnectionString;
    }

    /// <summary>The URL without its user information, safe to show in messages.</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
            : url;
}
