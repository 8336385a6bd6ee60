using System.Text.RegularExpressions;

namespace Zenith.Core.Connections;

/// <summary>
/// Keeps passwords out of text that leaves the process (driver errors, notes, test messages, logs): the last line of defence,
/// used by the engine and the service alike.
/// </summary>
public static partial class Redaction
{
    /// <summary>
    /// <paramref name="text"/> with every password of <paramref name="connectionStrings"/> (as written and decoded) and the
    /// password of any <c>scheme://user:password@</c> in it replaced by <see cref="ConnectionString.Mask"/>.
    /// </summary>
    public static string Redact(string text, params ReadOnlySpan<string?> connectionStrings)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var uri in connectionStrings)
        {
            if (string.IsNullOrEmpty(uri) || text.Length == 0)
            {
                continue;
            }

            var parsed = ConnectionString.Parse(uri);
            if (parsed.Password is not { } password || parsed.HasMaskedPassword)
            {
                continue;
            }

            text = text.Replace(uri, parsed.Masked, StringComparison.Ordinal).Replace(password, ConnectionString.Mask, StringComparison.Ordinal);
            var decoded = parsed.DecodedPassword;
            if (decoded.Length > 0)
            {
                text = text.Replace(decoded, ConnectionString.Mask, StringComparison.Ordinal);
            }
        }

        return AnyUriPassword().Replace(text, "$1" + ConnectionString.Mask + "@");
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+@", RegexOptions.CultureInvariant)]
    private static partial Regex AnyUriPassword();
}
