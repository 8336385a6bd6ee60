using System.Net;
using System.Net.Sockets;

namespace Zenith.Core.Connections;

/// <summary>
/// The hosts Zenith may connect to (<c>network.allowed_hosts</c>), so the API cannot be used to probe the network it runs in:
/// entries separated by <c>;</c> or <c>,</c>, each a host name (<c>clickhouse</c>, ignoring case), a domain and its subdomains
/// (<c>*.db.internal</c>), an IP address, or a CIDR range (<c>10.0.0.0/8</c>, <c>fd00::/8</c>). Names are compared as written in
/// the connection string, never resolved. Empty: every host is allowed. Pure.
/// </summary>
public sealed class HostAllowList
{
    private readonly List<string> names = [];
    private readonly List<string> suffixes = [];
    private readonly List<(IPAddress Network, int PrefixLength)> ranges = [];

    private HostAllowList(string setting) => Setting = setting;

    /// <summary>Every host allowed.</summary>
    public static HostAllowList Any { get; } = new(string.Empty);

    /// <summary>The setting as written.</summary>
    public string Setting { get; }

    public bool AllowsAny => names.Count == 0 && suffixes.Count == 0 && ranges.Count == 0;

    /// <summary>The list, or the first entry that is none of the four forms (the options validator names it).</summary>
    public static HostAllowList Parse(string? setting, out string? badEntry)
    {
        badEntry = null;
        var list = new HostAllowList(setting?.Trim() ?? string.Empty);
        foreach (var entry in list.Setting.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                var parts = entry.Split('/', 2);
                if (IPAddress.TryParse(parts[0], out var network) && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var prefix)
                    && prefix >= 0 && prefix <= (network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
                {
                    list.ranges.Add((network, prefix));
                    continue;
                }
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
            {
                list.ranges.Add((address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
                continue;
            }
            else if (entry.StartsWith("*.", StringComparison.Ordinal) && IsName(entry[2..]))
            {
                list.suffixes.Add(entry[1..].ToLowerInvariant());
                continue;
            }
            else if (IsName(entry))
            {
                list.names.Add(entry.ToLowerInvariant());
                continue;
            }

            badEntry ??= entry;
        }

        return list;
    }

    /// <summary>Whether a host of a connection string (a name, an IPv4 address, or an IPv6 one in brackets) is allowed.</summary>
    public bool Allows(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (AllowsAny)
        {
            return true;
        }

        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var address))
        {
            return ranges.Any(r => InRange(address, r.Network, r.PrefixLength));
        }

        var name = bare.TrimEnd('.').ToLowerInvariant();
        return names.Contains(name) || suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal) && name.Length > s.Length);
    }

    /// <summary>The first host of <paramref name="connection"/> the list does not allow, or null.</summary>
    public string? FirstRefused(ConnectionString connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Hosts.Select(h => h.Host).FirstOrDefault(h => !Allows(h));
    }

    /// <summary>What a connection to <paramref name="host"/> is refused with.</summary>
    public string Refusal(string host) => $"{host} is not in network.allowed_hosts ({Setting}); Zenith connects only to the hosts listed there";

    private static bool IsName(string text) =>
        text.Length is > 0 and <= 253 && text.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = prefixLength / 8;
        var rest = prefixLength % 8;
        if (!a.AsSpan(0, full).SequenceEqual(n.AsSpan(0, full)))
        {
            return false;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return rest == 0 || (a[full] & mask) == (n[full] & mask);
    }
}
