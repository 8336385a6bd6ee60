using System.Text.RegularExpressions;

namespace Zenith.Core.Connections;

/// <summary>
/// Keeps secrets out of text that leaves the process (driver errors, notes, test messages, logs): the last line of defence,
/// used by the engine and the service alike.
/// </summary>
public static partial class Redaction
{
    /// <summary>
    /// <paramref name="text"/> with every secret of <paramref name="connectionStrings"/> (the password and the secret options, as
    /// written and decoded), the password of any <c>scheme://user:password@</c> in it and the value of any secret-named URI option
    /// (<c>?password=</c>, <c>&amp;tlsCertificateKeyFilePassword=</c>, <c>AWS_SESSION_TOKEN:</c>) replaced by <see cref="ConnectionString.Mask"/>.
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
            var secrets = parsed.Secrets.Values.Where(v => v != ConnectionString.Mask).ToList();
            if (secrets.Count == 0)
            {
                continue;
            }

            text = text.Replace(uri, parsed.Masked, StringComparison.Ordinal);
            foreach (var secret in secrets.SelectMany(s => new[] { s, Uri.UnescapeDataString(s) }).Distinct().OrderByDescending(s => s.Length))
            {
                if (secret.Length > 0)
                {
                    text = text.Replace(secret, ConnectionString.Mask, StringComparison.Ordinal);
                }
            }
        }

        text = AnyUriPassword().Replace(text, "$1" + ConnectionString.Mask + "@");
        text = AnySecretOption().Replace(text, "$1" + ConnectionString.Mask);
        return AnySecretProperty().Replace(text, "$1" + ConnectionString.Mask);
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+@", RegexOptions.CultureInvariant)]
    private static partial Regex AnyUriPassword();

    [GeneratedRegex(@"([?&;][A-Za-z0-9_.\-]*(?:password|secret|token)[A-Za-z0-9_.\-]*=)(?!\*\*\*(?:[&;#\s]|$))[^&;#\s]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AnySecretOption();

    // MongoDB's property names are upper case (AWS_SESSION_TOKEN:value); "token: x" in a parser's message is not one.
    [GeneratedRegex(@"((?:^|[=,\s])[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN)[A-Z0-9_]*:)(?!\*\*\*(?:[,&;#\s]|$))[^,&;#\s]+", RegexOptions.CultureInvariant)]
    private static partial Regex AnySecretProperty();
}
