namespace Zenith.Core.Connections;

/// <summary>When a stored secret may fill a masked or missing one: the one rule for updates and connection tests.</summary>
public sealed partial class ConnectionString
{
    /// <summary>
    /// The options that decide where a secret goes and how it travels, besides scheme, hosts, ports, user and path: MongoDB's
    /// authentication (mechanism and its properties; the user's database is compared as <see cref="AuthDatabase"/>), TLS
    /// (switching it off or accepting any certificate exposes the secret on the way), a SOCKS proxy, the SRV service name
    /// (which hosts a <c>mongodb+srv</c> name means).
    /// </summary>
    private static readonly string[] EndpointOptions =
    [
        "authMechanism", "authMechanismProperties",
        "tls", "ssl", "tlsInsecure", "tlsAllowInvalidCertificates", "tlsAllowInvalidHostnames", "tlsDisableCertificateRevocationCheck",
        "tlsDisableOCSPEndpointCheck", "tlsCAFile", "tlsCertificateKeyFile", "sslVerifyCertificate",
        "proxyHost", "proxyPort", "proxyUsername", "srvServiceName",
    ];

    /// <summary>
    /// What an edited or tested URI (this one, as a client sent it) becomes, given the URI stored for the connector
    /// (<paramref name="stored"/>, with its real secrets; null when there is none). Secrets the client typed are used as sent.
    /// Masked (<c>***</c>) secrets, and a missing password, take the stored ones only while the endpoint is the same
    /// (<see cref="SameEndpoint"/>: scheme, hosts and ports, user, path or authentication database, authentication, TLS and
    /// proxy options), so a stored secret is never sent to another server, as another user or over a weaker channel.
    /// Otherwise a missing password stays missing, and a masked secret is refused (the client must type it again), or dropped
    /// when nothing is stored, so the literal <c>***</c> never reaches a server.
    /// </summary>
    public PasswordReuse ReuseStoredPassword(ConnectionString? stored)
    {
        var masked = HasMaskedSecret;
        var kept = stored?.Secrets.Where(s => s.Value != Mask).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal) ?? [];
        var wantsPassword = User is not null && Password is null && kept.ContainsKey(PasswordKey);
        if (!masked && !wantsPassword)
        {
            return new PasswordReuse(Text, PasswordChoice.AsSent);
        }

        if (kept.Count == 0)
        {
            return masked ? new PasswordReuse(WithoutMaskedSecrets(), PasswordChoice.MaskDropped) : new PasswordReuse(Text, PasswordChoice.AsSent);
        }

        if (SameEndpoint(stored!))
        {
            return new PasswordReuse(WithSecrets(kept), PasswordChoice.Reused);
        }

        return masked ? new PasswordReuse(Text, PasswordChoice.MaskRefused) : new PasswordReuse(Text, PasswordChoice.AsSent);
    }

    /// <summary>
    /// Whether both strings reach the same server as the same user the same way: scheme, the set of hosts (ports filled in, host
    /// names ignoring case), the decoded user, the path of an HTTP URI or the authentication database of a MongoDB one, and the
    /// <see cref="EndpointOptions"/> (secret values inside them compared masked). Other options (timeouts, read preference, the
    /// default database when <c>authSource</c> names the user's) may differ.
    /// </summary>
    public bool SameEndpoint(ConnectionString other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Scheme == other.Scheme
            && string.Equals(UserName, other.UserName, StringComparison.Ordinal)
            && EndpointHosts().SetEquals(other.EndpointHosts())
            && string.Equals(AuthDatabase, other.AuthDatabase, StringComparison.Ordinal)
            && EndpointOptions.All(key => string.Equals(MaskedOption(key), other.MaskedOption(key), StringComparison.Ordinal));
    }

    /// <summary>
    /// Where the user is authenticated: MongoDB's <c>authSource</c>, else the database in the path, else <c>admin</c> (the driver's
    /// rule); for HTTP the path, which a reverse proxy may route to another server.
    /// </summary>
    private string AuthDatabase => IsMongoDb
        ? MaskedOption("authSource") ?? (Path.Trim('/') is { Length: > 0 } database ? Uri.UnescapeDataString(database) : "admin")
        : Path.TrimEnd('/');

    private string? MaskedOption(string key)
    {
        var masked = Parse(Masked);
        return masked.Options.TryGetValue(key, out var value) ? Uri.UnescapeDataString(value) : null;
    }

    private HashSet<string> EndpointHosts() =>
        Hosts.Select(h => h.Host.ToLowerInvariant() + ":" + (h.Port ?? DefaultPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
}

/// <summary>What the secrets of an edited or tested URI become (<see cref="ConnectionString.ReuseStoredPassword"/>).</summary>
public enum PasswordChoice
{
    /// <summary>The URI carries its own secrets, or none and none may be taken: used as sent.</summary>
    AsSent,

    /// <summary>Masked or missing, for the same endpoint as the stored URI: the stored secrets fill them.</summary>
    Reused,

    /// <summary>Masked with nothing stored to fill them: the masks are dropped rather than sent to a server as secrets.</summary>
    MaskDropped,

    /// <summary>Masked, but the endpoint is not the stored one: the secrets must be typed again.</summary>
    MaskRefused,
}

/// <param name="Uri">The URI to use (for <see cref="PasswordChoice.MaskRefused"/>: as sent, still masked).</param>
public readonly record struct PasswordReuse(string Uri, PasswordChoice Choice)
{
    /// <summary>Never the URI itself: it may hold real secrets.</summary>
    public override string ToString() => $"PasswordReuse {{ Uri = {ConnectionString.Parse(Uri).Masked}, Choice = {Choice} }}";
}
