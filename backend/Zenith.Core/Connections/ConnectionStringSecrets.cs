using System.Text;

namespace Zenith.Core.Connections;

/// <summary>
/// The secrets of a connection string: which parts are secret (the user-info password, options named for a password, secret
/// or token, secret authentication properties), where they are, and how masked ones are filled or dropped.
/// </summary>
public sealed partial class ConnectionString
{
    /// <summary>Whether any secret (the password or a secret option) is the <see cref="Mask"/>.</summary>
    public bool HasMaskedSecret => secretSpans.Any(s => IsMask(s));

    /// <summary>
    /// Every secret the string carries, as written (percent-encoded), by key: <see cref="PasswordKey"/> for the user-info password,
    /// <c>?option</c> (lower case) for a secret option, <c>?authmechanismproperties:NAME</c> for a secret authentication property.
    /// Masked ones (<see cref="Mask"/>) are included.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets => secretSpans.ToDictionary(s => s.Key, Value, StringComparer.Ordinal);

    /// <summary>
    /// Whether an option's value is a secret: its name holds <c>password</c>, <c>secret</c> or <c>token</c>
    /// (<c>tlsCertificateKeyFilePassword</c>, <c>proxyPassword</c>, ClickHouse's <c>password</c>).
    /// </summary>
    public static bool IsSecretName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The text with each masked secret replaced by the value of the same key in <paramref name="values"/> (as written), and a
    /// missing password added when <paramref name="values"/> holds one; masked secrets without a value are dropped (an option
    /// with its name), so the literal <see cref="Mask"/> never reaches a server.
    /// </summary>
    public string WithSecrets(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var filled = Parse(Replace(s => IsMask(s) && values.TryGetValue(s.Key, out var value) ? value : null));
        var text = filled.Password is null && values.TryGetValue(PasswordKey, out var password) ? filled.WithPassword(password) : filled.Text;
        return Parse(text).WithoutMaskedSecrets();
    }

    /// <summary>The text without any masked secret: a masked password leaves the user alone, a masked option goes with its name.</summary>
    public string WithoutMaskedSecrets()
    {
        var text = HasMaskedPassword ? WithoutPassword() : Text;
        var parsed = Parse(text);
        var masked = parsed.secretSpans.Where(s => s.Key != PasswordKey && parsed.IsMask(s)).ToList();
        if (masked.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var span in masked.Where(s => s.OptionStart >= 0).OrderBy(s => s.OptionStart))
        {
            if (span.OptionStart < at)
            {
                continue;
            }

            // The option (name=value) and one separator go; a property inside authMechanismProperties takes the whole option.
            var start = span.OptionStart;
            var end = span.OptionEnd;
            if (end < text.Length && text[end] is '&' or ';')
            {
                end++;
            }
            else if (start > 0 && text[start - 1] is '&' or ';')
            {
                start--;
            }

            builder.Append(text, at, start - at);
            at = end;
        }

        builder.Append(text, at, text.Length - at);
        var result = builder.ToString();
        return result.EndsWith('?') ? result[..^1] : result;
    }

    private static readonly string[] SecretWords = ["password", "secret", "token"];

    private string Value(SecretSpan span) => Text.Substring(span.Start, span.Length);

    private bool IsMask(SecretSpan span) => span.Length == Mask.Length && string.CompareOrdinal(Text, span.Start, Mask, 0, Mask.Length) == 0;

    private void NoteSecrets(string name, int optionStart, int valueStart, int valueEnd)
    {
        if (valueEnd <= valueStart)
        {
            return;
        }

        var key = "?" + name.ToLowerInvariant();
        if (IsSecretName(Uri.UnescapeDataString(name)))
        {
            secretSpans.Add(new SecretSpan(key, valueStart, valueEnd - valueStart, optionStart, valueEnd));
            return;
        }

        if (!name.Equals("authMechanismProperties", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var value = Text[valueStart..valueEnd];
        var encodedSeparators = value.Contains("%3A", StringComparison.OrdinalIgnoreCase) || value.Contains("%2C", StringComparison.OrdinalIgnoreCase);
        if (value == Mask || (encodedSeparators && SecretWords.Any(w => Uri.UnescapeDataString(value).Contains(w, StringComparison.OrdinalIgnoreCase))))
        {
            // Encoded separators hide where a property ends: the whole value is the secret (and masks as one).
            secretSpans.Add(new SecretSpan(key, valueStart, valueEnd - valueStart, optionStart, valueEnd));
            return;
        }

        // NAME:value,NAME:value; the value of a secret NAME (AWS_SESSION_TOKEN) is the secret.
        var at = valueStart;
        while (at < valueEnd)
        {
            var comma = Text.IndexOf(',', at, valueEnd - at);
            var propertyEnd = comma < 0 ? valueEnd : comma;
            var colon = Text.IndexOf(':', at, propertyEnd - at);
            if (colon > at && colon + 1 < propertyEnd && IsSecretName(Text[at..colon]))
            {
                secretSpans.Add(new SecretSpan($"{key}:{Text[at..colon].ToUpperInvariant()}", colon + 1, propertyEnd - colon - 1, optionStart, valueEnd));
            }

            at = propertyEnd + 1;
        }
    }
}
