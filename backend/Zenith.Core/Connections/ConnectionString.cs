using System.Globalization;

namespace Zenith.Core.Connections;

/// <summary>One host of a connection string; <see cref="Port"/> is null when the string names none.</summary>
public readonly record struct HostPort(string Host, int? Port);

/// <summary>
/// A connector's connection string: a <c>mongodb://</c> or <c>mongodb+srv://</c> URI (several hosts, options) or the ClickHouse
/// <c>http(s)://</c> interface. It works on the text as written, so a password is kept byte for byte: <see cref="Uri"/> cannot
/// read several hosts, and the driver's <c>MongoUrl</c> (outside Core) rewrites the string. Pure; never throws while parsing
/// (text that is no URI has no parts and masks to itself), so it can read whatever a message quotes. The one place that parses,
/// masks (<see cref="Masked"/>), redacts (<see cref="Redaction.Redact"/>) and decides when a stored password may be reused
/// (<see cref="ReuseStoredPassword"/>).
/// </summary>
public sealed class ConnectionString
{
    /// <summary>What a password looks like wherever it is shown.</summary>
    public const string Mask = "***";

    private readonly int userInfoStart;
    private readonly int userInfoEnd;
    private readonly int passwordStart;

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
        }

        var hostStart = at > start ? at + 1 : start;
        var slash = text.IndexOf('/', hostStart, end - hostStart);
        var hostEnd = slash < 0 ? end : slash;
        Hosts = [.. text[hostStart..hostEnd].Split(',').Where(h => h.Length > 0).Select(ParseHost)];
        Path = text[hostEnd..end];
        if (queryStart >= 0 && text[queryStart] == '?')
        {
            var fragment = text.IndexOf('#', queryStart);
            Options = ParseOptions(text[(queryStart + 1)..(fragment < 0 ? text.Length : fragment)]);
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

    /// <summary>The text with its password replaced by <see cref="Mask"/>: what the API returns and the dashboard shows.</summary>
    public string Masked => Password is null ? Text : string.Concat(Text.AsSpan(0, passwordStart), Mask, Text.AsSpan(userInfoEnd));

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

    /// <summary>
    /// What an edited or tested URI (this one, as a client sent it) becomes, given the password stored for the connector
    /// (<paramref name="stored"/>, with its real password; null when there is none). A password the client typed is used as sent.
    /// A masked (<c>***</c>) or missing password takes the stored one only while the endpoint is the same: scheme, hosts and
    /// ports, user and authentication options (<see cref="SameEndpoint"/>), so a stored password is never sent to another
    /// server or as another user. Otherwise a missing password stays missing, and a masked one is refused (the client must
    /// type it again), or dropped when nothing is stored, so the literal <c>***</c> never reaches a server.
    /// </summary>
    public PasswordReuse ReuseStoredPassword(ConnectionString? stored)
    {
        var masked = HasMaskedPassword;
        if (Password is not null && !masked)
        {
            return new PasswordReuse(Text, PasswordChoice.AsSent);
        }

        if (stored?.Password is not { } kept || kept == Mask)
        {
            return masked ? new PasswordReuse(WithoutPassword(), PasswordChoice.MaskDropped) : new PasswordReuse(Text, PasswordChoice.AsSent);
        }

        if (SameEndpoint(stored))
        {
            return new PasswordReuse(WithPassword(kept), PasswordChoice.Reused);
        }

        return masked ? new PasswordReuse(Text, PasswordChoice.MaskRefused) : new PasswordReuse(Text, PasswordChoice.AsSent);
    }

    /// <summary>
    /// Whether both strings reach the same server as the same user: scheme, the set of hosts (ports filled in, host names
    /// ignoring case), the decoded user and MongoDB's authentication options. Path and other options may differ.
    /// </summary>
    public bool SameEndpoint(ConnectionString other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Scheme == other.Scheme
            && string.Equals(UserName, other.UserName, StringComparison.Ordinal)
            && EndpointHosts().SetEquals(other.EndpointHosts())
            && AuthOptions.All(key => string.Equals(Option(key), other.Option(key), StringComparison.Ordinal));
    }

    public override string ToString() => Masked;

    /// <summary>The options that choose how MongoDB authenticates (where the user lives, the mechanism and its properties).</summary>
    private static readonly string[] AuthOptions = ["authSource", "authMechanism", "authMechanismProperties"];

    private string? Option(string key) => Options.TryGetValue(key, out var value) ? Uri.UnescapeDataString(value) : null;

    private HashSet<string> EndpointHosts() =>
        Hosts.Select(h => h.Host.ToLowerInvariant() + ":" + (h.Port ?? DefaultPort)?.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);

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

    private static Dictionary<string, string> ParseOptions(string query)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.Split(['&', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            options[equals < 0 ? pair : pair[..equals]] = equals < 0 ? string.Empty : pair[(equals + 1)..];
        }

        return options;
    }
}

/// <summary>What the password of an edited or tested URI becomes (<see cref="ConnectionString.ReuseStoredPassword"/>).</summary>
public enum PasswordChoice
{
    /// <summary>The URI carries its own password, or none and none may be taken: used as sent.</summary>
    AsSent,

    /// <summary>Masked or missing, for the same endpoint as the stored URI: the stored password fills it.</summary>
    Reused,

    /// <summary>Masked with nothing stored to fill it: the mask is dropped rather than sent to a server as a password.</summary>
    MaskDropped,

    /// <summary>Masked, but the endpoint is not the stored one: the password must be typed again.</summary>
    MaskRefused,
}

/// <param name="Uri">The URI to use (for <see cref="PasswordChoice.MaskRefused"/>: as sent, still masked).</param>
public readonly record struct PasswordReuse(string Uri, PasswordChoice Choice);
