namespace Zenith.Service.Api;

public static class DashboardExtensions
{
    /// <summary>
    /// Where the built dashboard is. ASP.NET looks for wwwroot under the content root (the working
    /// directory), but the run command starts the published service from the repo root so that
    /// <c>./zenith_metadata.db</c> lands where the user is: then the wwwroot published beside the
    /// binary is the one to serve. Null keeps ASP.NET's default.
    /// </summary>
    public static string? LocateWebRoot()
    {
        var contentRoot = Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") ?? Directory.GetCurrentDirectory();
        if (File.Exists(Path.Combine(contentRoot, "wwwroot", "index.html")))
        {
            return null;
        }

        var besideBinary = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return File.Exists(Path.Combine(besideBinary, "index.html")) ? besideBinary : null;
    }

    /// <summary>
    /// Client-side routes of the SPA: every path but the service's own. No fallback endpoint may match those, or it would
    /// also win over routing's own answers there (405 for a wrong method, 415 for a body that is not JSON) and turn them into 404s.
    /// </summary>
    private const string ClientRoutes = "{*path:nonfile:regex(^(?!(api|health|openapi|metrics|docs)(/|$)))}";

    /// <summary>
    /// The SPA from wwwroot with index.html for client-side routes (never for /api, /health, /metrics, /openapi, whose unknown
    /// paths get a 404 problem from the status code pages); without a built dashboard, <c>/</c> says so in plain text.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            app.UseDefaultFiles();
            app.UseStaticFiles();
            app.MapFallbackToFile(ClientRoutes, "index.html").AllowAnonymous();
        }
        else
        {
            app.MapGet("/", () => TypedResults.Text(
                "Zenith is running, but the dashboard is not built (no wwwroot/index.html). "
                + "Build it with 'npm run build' in frontend/. The API is at /api, its docs at /docs, metrics at /metrics.\n",
                "text/plain")).ExcludeFromDescription().AllowAnonymous();
        }

        return app;
    }
}
