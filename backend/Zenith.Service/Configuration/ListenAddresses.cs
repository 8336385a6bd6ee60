using System.Net;

namespace Zenith.Service.Configuration;

/// <summary>The <c>server.urls</c> setting, parsed: needed to refuse a public address when no API key is set.</summary>
public sealed record ListenAddresses(IReadOnlyList<Uri> Urls, string? Error)
{
    public bool AllLoopback => Urls.All(IsLoopback);

    public static ListenAddresses Parse(string? urls)
    {
        var list = new List<Uri>();
        foreach (var part in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (http://*:8080, http://+:8080) mean every interface.
            var normalized = part.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return new(list, $"must be http(s) URLs separated by ';' (got \"{part}\")");
            }

            list.Add(uri);
        }

        return list.Count == 0 ? new(list, "must name at least one URL (e.g. http://127.0.0.1:8080)") : new(list, null);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
