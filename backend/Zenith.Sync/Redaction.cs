namespace Zenith.Sync;

/// <summary>Keeps passwords out of messages: whatever text leaves the engine passes through here.</summary>
internal static class Redaction
{
    /// <summary>Replaces the user-info of <paramref name="uri"/> (and its password alone) wherever it appears in <paramref name="message"/>.</summary>
    public static string Redact(string message, string? uri)
    {
        if (string.IsNullOrEmpty(uri) || string.IsNullOrEmpty(message))
        {
            return message;
        }

        if (message.Contains(uri, StringComparison.Ordinal))
        {
            message = message.Replace(uri, MaskUri(uri), StringComparison.Ordinal);
        }

        var password = Password(uri);
        return string.IsNullOrEmpty(password) ? message : message.Replace(password, "***", StringComparison.Ordinal);
    }

    /// <summary>The URI with its password replaced by <c>***</c>.</summary>
    public static string MaskUri(string uri)
    {
        var password = Password(uri);
        return string.IsNullOrEmpty(password) ? uri : uri.Replace(":" + password + "@", ":***@", StringComparison.Ordinal);
    }

    private static string? Password(string uri)
    {
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        var at = uri.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return null;
        }

        var userInfo = uri[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : userInfo[(colon + 1)..];
    }
}

/// <summary>A connector setting that cannot work; the message says which and why.</summary>
public sealed class SyncConfigurationException(string message) : Exception(message);
