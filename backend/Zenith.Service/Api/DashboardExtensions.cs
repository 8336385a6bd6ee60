namespace Zenith.Service.Api;

public static class DashboardExtensions
{
    /// <summary>
    /// The SPA from wwwroot with index.html for client-side routes (never for /api, /health, /metrics, /openapi);
    /// without a built dashboard, <c>/</c> says so in plain text.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var prefix in new[] { "/api", "/health", "/openapi" })
        {
            app.MapFallback(prefix + "/{**rest}", () => TypedResults.Problem(
                title: "Not found.", detail: "No such endpoint; see /docs.", statusCode: StatusCodes.Status404NotFound)).ExcludeFromDescription();
        }

        if (app.Environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            app.UseDefaultFiles();
            app.UseStaticFiles();
            app.MapFallbackToFile("index.html").AllowAnonymous();
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
