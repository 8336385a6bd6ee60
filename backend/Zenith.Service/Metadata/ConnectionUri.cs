namespace Zenith.Service.Metadata;

/// <summary>
/// The password in the user-info part of a <c>mongodb://</c> or <c>http(s)://</c> URI. Works on the text as written
/// (a MongoDB URI may list several hosts, which <see cref="Uri"/> cannot parse), so the password is kept byte for byte.
/// </summary>
public static class ConnectionUri
{
    public const string Mask = "***";

    /// <summary>
    /// The URI with its password replaced by <see cref="Mask"/>, and the password (null when there is none). An empty
    /// password (<c>default:@host</c>, ClickHouse's default user) is no secret: the URI stays as written.
    /// </summary>
    public static (string Masked, string? Password) Split(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!TryFindUserInfo(uri, out var start, out var at))
        {
            return (uri, null);
        }

        var colon = uri.IndexOf(':', start, at - start);
        if (colon < 0)
        {
            return (uri, null);
        }

        var password = uri[(colon + 1)..at];
        return password.Length == 0 ? (uri, null) : (string.Concat(uri.AsSpan(0, colon + 1), Mask, uri.AsSpan(at)), password);
    }

    public static string MaskPassword(string uri) => Split(uri).Masked;

    /// <summary>Puts <paramref name="password"/> into the URI's user-info (replacing any); a URI without a user stays as it is.</summary>
    public static string WithPassword(string uri, string? password)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (password is null || !TryFindUserInfo(uri, out var start, out var at))
        {
            return uri;
        }

        var colon = uri.IndexOf(':', start, at - start);
        var userEnd = colon < 0 ? at : colon;
        return string.Concat(uri.AsSpan(0, userEnd), ":", password, uri.AsSpan(at));
    }

    /// <summary>
    /// The URI a client sent, with the password of <paramref name="stored"/> where the client sent the mask or none (the
    /// update rule, for testing an edited connector before saving it); a mask with nothing stored is dropped.
    /// </summary>
    public static string KeepStoredPassword(string sent, string stored)
    {
        ArgumentNullException.ThrowIfNull(sent);
        ArgumentNullException.ThrowIfNull(stored);
        var (_, password) = Split(sent);
        if (password is not (null or Mask))
        {
            return sent;
        }

        return Split(stored).Password is { } kept ? WithPassword(sent, kept) : WithoutPassword(sent);
    }

    /// <summary>The URI without the password part of its user-info (<c>user:pw@host</c> → <c>user@host</c>).</summary>
    public static string WithoutPassword(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!TryFindUserInfo(uri, out var start, out var at))
        {
            return uri;
        }

        var colon = uri.IndexOf(':', start, at - start);
        return colon < 0 ? uri : string.Concat(uri.AsSpan(0, colon), uri.AsSpan(at));
    }

    private static bool TryFindUserInfo(string uri, out int start, out int at)
    {
        at = -1;
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        start = scheme + 3;
        if (scheme < 0)
        {
            return false;
        }

        // The user-info ends at the last '@' before the query: a password with an unescaped '/' is still masked whole.
        var end = uri.IndexOfAny(['?', '#'], start);
        if (end < 0)
        {
            end = uri.Length;
        }

        at = end > start ? uri.LastIndexOf('@', end - 1, end - start) : -1;
        return at > start;
    }
}
