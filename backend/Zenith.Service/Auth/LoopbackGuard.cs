using System.Net;
using Microsoft.Net.Http.Headers;

namespace Zenith.Service.Auth;

/// <summary>
/// What keeps the keyless (loopback-only) service from being driven by a web page the user happens to open. Listening on
/// loopback is not enough: a page can post a form to <c>http://127.0.0.1:8080/api/connectors/1/pause</c> (no preflight for a
/// form), and DNS rebinding gives a page on <c>evil.example</c> same-origin access to whatever answers there. So without an API
/// key every request must be addressed to a loopback name (<c>Host</c>), and a state-changing one must carry JSON (which no form
/// and no cross-site request without a CORS preflight can send; Zenith answers no preflight) and must not come from a foreign
/// origin (<c>Origin</c>, <c>Sec-Fetch-Site</c>). The dashboard Zenith serves, <c>zenith --api</c> and <c>curl -H
/// 'content-type: application/json'</c> from the machine pass. With an API key the key is the guard (it is never sent by a
/// browser on its own).
/// </summary>
public static class LoopbackGuard
{
    /// <summary>Why the request is refused (status and a sentence saying what to do), or null to let it through.</summary>
    public static (int Status, string Title, string Detail)? Refusal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Host.HasValue || !IsLoopbackName(request.Host.Host))
        {
            return (StatusCodes.Status403Forbidden, "Refused: not addressed to a loopback name.",
                $"Without an API key Zenith answers only requests for localhost, 127.0.0.1 or [::1] (this one was for '{Shown(request.Host.Value ?? string.Empty)}'). "
                + "Open the dashboard at http://127.0.0.1:<port>, or set auth.api_key (ZENITH_auth__api_key) to serve other names.");
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            return null;
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var origin = request.Headers.Origin.ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || (origin.Length > 0 && !IsLoopbackOrigin(origin)))
        {
            return (StatusCodes.Status403Forbidden, "Refused: a request from another site.",
                $"Without an API key Zenith takes changes only from its own dashboard or from this machine (the request came from '{Shown(origin.Length > 0 ? origin : site)}'). "
                + "Set auth.api_key (ZENITH_auth__api_key) to accept requests that carry the key.");
        }

        if (!HttpMethods.IsDelete(request.Method) && !IsJson(request.ContentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, "Refused: not a JSON request.",
                "Without an API key Zenith takes changes only as JSON, which a web page cannot send across sites: add the header 'Content-Type: application/json' "
                + "('application/merge-patch+json' for a PATCH) "
                + "(also to a request without a body, e.g. curl -X POST -H 'content-type: application/json' http://127.0.0.1:8080/api/connectors/1/pause).");
        }

        return null;
    }

    /// <summary>Refuses what <see cref="Refusal"/> refuses, with problem details, when no API key is configured.</summary>
    public static IApplicationBuilder UseLoopbackGuard(this IApplicationBuilder app, Configuration.ZenithOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Auth.HasApiKey)
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            if (Refusal(context.Request) is not { } refusal)
            {
                await next(context);
                return;
            }

            await Results.Problem(title: refusal.Title, detail: refusal.Detail, statusCode: refusal.Status).ExecuteAsync(context);
        });
    }

    /// <summary>localhost and its subdomains (browsers resolve them to loopback themselves, RFC 6761), 127.0.0.0/8 and ::1.</summary>
    public static bool IsLoopbackName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim('[', ']').TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private static bool IsLoopbackOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && IsLoopbackName(uri.Host);

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>A header value as it may be quoted back: short, printable.</summary>
    private static string Shown(string value) => new([.. value.Take(80).Where(c => !char.IsControl(c))]);
}
