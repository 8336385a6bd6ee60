using System.Globalization;
using System.Text;

namespace Zenith.Core.Connections;

/// <summary>One host of a connection string; <see cref="Port"/> is null when the string names none.</summary>
public readonly record struct HostPort(string Host, int? Port);

/// <summary>
/// A connector's connection string: a <c>mongodb://</c> or <c>mongodb+srv://</c> URI (several hosts, options) or the ClickHouse
/// <c>http(s)://</c> interface. It works on the text as written, so a secret is kept byte for byte: <see cref="Uri"/> cannot
/// read several hosts, and the driver's <c>MongoUrl</c> (outside Core) rewrites the string. Pure; never throws while parsing
/// (text that is no URI has no parts and masks to itself), so it can read whatever a message quotes. The one place that parses,
/// knows which parts are secret (<see cref="Secrets"/>: the password and the options <see cref="IsSecretName"/> names), masks them
/// (<see cref="Masked"/>), redacts (<see cref="Redaction.Redact"/>) and decides when a stored secret may be reused
/// (<see cref="ReuseStoredPassword"/>, in <c>PasswordReuse.cs</c>).
/// </summary>
public sealed partial class ConnectionString
{
    /// <summary>What a secret looks like wherever it is shown.</summary>
    public const string Mask = "***";

    /// <summary>The key of the user-info password in <see cref="Secrets"/>.</summary>
    public const string PasswordKey = "password";

    private readonly int userInfoStart;
    private readonly int userInfoEnd;
    private readonly int passwordStart;
    private readonly List<SecretSpan> secretSpans = [];

    private ConnectionString(string text)
    {
        Text = text;
        userInfoStart = userInfoEnd = passwordStart = -1;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return;
        }

        Scheme = text[..schemeEnd].ToLowerInvariant();
        var start = schemeEnd + 3;

        // The user-info ends at the last '@' before the query: a password with an unescaped '/' is still found whole.
        var queryStart = text.IndexOfAny(['?', '#'], start);
        var end = queryStart < 0 ? text.Length : queryStart;
        var at = end > start ? text.LastIndexOf('@', end - 1, end - start) : -1;
        if (at > start)
        {
            userInfoStart = start;
            userInfoEnd = at;
            var colon = text.IndexOf(':', start, at - start);
            passwordStart = colon < 0 ? -1 : colon + 1;
            if (passwordStart >= 0 && passwordStart < userInfoEnd)
            {
                secretSpans.Add(new SecretSpan(PasswordKey, passwordStart, userInfoEnd - passwordStart));
            }
        }

        var hostStart = at > start ? at + 1 : start;
        var slash = text.IndexOf('/', hostStart, end - hostStart);
        var hostEnd = slash < 0 ? end : slash;
        Hosts = [.. text[hostStart..hostEnd].Split(',').Where(h => h.Length > 0).Select(ParseHost)];
        Path = text[hostEnd..end];
        if (queryStart >= 0 && text[queryStart] == '?')
        {
            var fragment = text.IndexOf('#', queryStart);
            Options = ParseOptions(queryStart + 1, fragment < 0 ? text.Length : fragment);
        }
    }

    /// <summary>The string as given.</summary>
    public string Text { get; }

    /// <summary>Lower case: <c>mongodb</c>, <c>mongodb+srv</c>, <c>http</c>, <c>https</c>; empty when the text is no URI.</summary>
    public string Scheme { get; } = string.Empty;

    public bool IsMongoDb => Scheme is "mongodb" or "mongodb+srv";

    public bool IsHttp => Scheme is "http" or "https";

    /// <summary>The user as written (percent-encoded); null without user-info.</summary>
    public string? User => userInfoStart < 0 ? null : Text[userInfoStart..(passwordStart < 0 ? userInfoEnd : passwordStart - 1)];

    /// <summary>The user decoded, as a server sees it; null without user-info.</summary>
    public string? UserName => User is { } user ? Uri.UnescapeDataString(user) : null;

    /// <summary>
    /// The password as written (percent-encoded), or null. An empty password (<c>default:@host</c>, ClickHouse's default user)
    /// is no secret: null too, and the string stays as written.
    /// </summary>
    public string? Password => passwordStart < 0 || passwordStart == userInfoEnd ? null : Text[passwordStart..userInfoEnd];

    /// <summary>The password decoded, as a server sees it; empty when there is none.</summary>
    public string DecodedPassword => Password is { } password ? Uri.UnescapeDataString(password) : string.Empty;

    /// <summary>Whether the password is the <see cref="Mask"/> a client got back from the API.</summary>
    public bool HasMaskedPassword => Password == Mask;

    public IReadOnlyList<HostPort> Hosts { get; } = [];

    /// <summary>The path after the hosts (<c>/db</c>, <c>/</c>, or empty).</summary>
    public string Path { get; } = string.Empty;

    /// <summary>The query options, keys compared ignoring case (MongoDB's rule); values as written.</summary>
    public IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The port a host without one uses: MongoDB's 27017, HTTP's 80 and 443.</summary>
    public int? DefaultPort => Scheme switch
    {
        "mongodb" or "mongodb+srv" => 27017,
        "http" => 80,
        "https" => 443,
        _ => null,
    };

    /// <summary><c>host:port</c> of every host, ports filled in, never the credentials: what messages name.</summary>
    public string HostList => string.Join(",", Hosts.Select(h => (h.Port ?? DefaultPort) is { } port ? $"{h.Host}:{port.ToString(CultureInfo.InvariantCulture)}" : h.Host));

    /// <summary>The text with every secret replaced by <see cref="Mask"/>: what the API returns, the dashboard shows and SQLite keeps.</summary>
    public string Masked => Replace(_ => Mask);

    public static ConnectionString Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ConnectionString(text);
    }

    /// <summary>The text with <paramref name="password"/> in its user-info (replacing any); a string without a user stays as it is.</summary>
    public string WithPassword(string? password)
    {
        if (password is null || userInfoStart < 0)
        {
            return Text;
        }

        var userEnd = passwordStart < 0 ? userInfoEnd : passwordStart - 1;
        return string.Concat(Text.AsSpan(0, userEnd), ":", password, Text.AsSpan(userInfoEnd));
    }

    /// <summary>The text without the password part of its user-info (<c>user:pw@host</c> → <c>user@host</c>).</summary>
    public string WithoutPassword() =>
        passwordStart < 0 ? Text : string.Concat(Text.AsSpan(0, passwordStart - 1), Text.AsSpan(userInfoEnd));

    public override string ToString() => Masked;

    /// <summary>The text with each secret replaced by what <paramref name="replacement"/> says (null keeps it as written).</summary>
    private string Replace(Func<SecretSpan, string?> replacement)
    {
        if (secretSpans.Count == 0)
        {
            return Text;
        }

        var builder = new StringBuilder(Text.Length);
        var at = 0;
        foreach (var span in secretSpans.OrderBy(s => s.Start))
        {
            builder.Append(Text, at, span.Start - at).Append(replacement(span) ?? Value(span));
            at = span.Start + span.Length;
        }

        return builder.Append(Text, at, Text.Length - at).ToString();
    }

    private static HostPort ParseHost(string text)
    {
        // [v6]:port, host:port, or host alone; a port that is not a number stays part of the host (validation says so).
        var colon = text.LastIndexOf(':');
        var bracket = text.LastIndexOf(']');
        if (colon > bracket && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return new HostPort(text[..colon], port);
        }

        return new HostPort(text, null);
    }

    /// <summary>Reads <c>name=value</c> pairs between <paramref name="start"/> and <paramref name="end"/>, noting where secret values are.</summary>
    private Dictionary<string, string> ParseOptions(int start, int end)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var at = start;
        while (at < end)
        {
            var next = Text.IndexOfAny(['&', ';'], at, end - at);
            var pairEnd = next < 0 ? end : next;
            if (pairEnd > at)
            {
                var equals = Text.IndexOf('=', at, pairEnd - at);
                var name = Text[at..(equals < 0 ? pairEnd : equals)];
                var valueStart = equals < 0 ? pairEnd : equals + 1;
                options[name] = Text[valueStart..pairEnd];
                NoteSecrets(name, at, valueStart, pairEnd);
            }

            at = pairEnd + 1;
        }

        return options;
    }

    /// <param name="Key">See <see cref="Secrets"/>.</param>
    /// <param name="OptionStart">Where the option holding it starts (its name), or -1 for the password.</param>
    /// <param name="OptionEnd">Where that option ends.</param>
    private readonly record struct SecretSpan(string Key, int Start, int Length, int OptionStart = -1, int OptionEnd = -1);
}
