using System.Text.RegularExpressions;
using Zenith.Service.Metadata;

namespace Zenith.Service.Telemetry;

/// <summary>
/// Last line of defence for text that leaves the process (errors from drivers, notes, test messages):
/// the connector's own passwords and any <c>scheme://user:password@</c> are replaced by <c>***</c>.
/// </summary>
public static partial class SecretScrubber
{
    public static string Scrub(string text, ConnectorDefinition? connector = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (connector is not null)
        {
            text = ScrubPassword(text, ConnectionUri.Split(connector.Source.Uri).Password);
            text = ScrubPassword(text, ConnectionUri.Split(connector.Destination.Uri).Password);
        }

        return UriPassword().Replace(text, "$1" + ConnectionUri.Mask + "@");
    }

    public static string Scrub(string text, params string?[] uris)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(uris);
        foreach (var uri in uris)
        {
            text = uri is null ? text : ScrubPassword(text, ConnectionUri.Split(uri).Password);
        }

        return Scrub(text);
    }

    private static string ScrubPassword(string text, string? password)
    {
        if (string.IsNullOrEmpty(password) || password == ConnectionUri.Mask)
        {
            return text;
        }

        text = text.Replace(password, ConnectionUri.Mask, StringComparison.Ordinal);
        var decoded = Uri.UnescapeDataString(password);
        return decoded.Length == 0 ? text : text.Replace(decoded, ConnectionUri.Mask, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();
}
