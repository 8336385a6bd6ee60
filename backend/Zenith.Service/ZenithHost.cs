using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service;

/// <summary>The start-up steps Program.cs names: listen addresses, the engine, running until stopped.</summary>
public static class ZenithHost
{
    /// <summary>Reads the settings and applies the listen addresses; returns the one-line error that stops the service, or null.</summary>
    public static string? TryReadSettings(this WebApplicationBuilder builder, out ZenithOptions settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        try
        {
            settings = builder.Configuration.ReadZenithOptions();
        }
        catch (InvalidOperationException e)
        {
            settings = new ZenithOptions();
            return e.Message;
        }

        return builder.ConfigureListening(settings);
    }

    /// <summary>
    /// Applies <c>server.urls</c>; refuses a non-loopback address without an API key. Returns the one-line error, or null.
    /// </summary>
    public static string? ConfigureListening(this WebApplicationBuilder builder, ZenithOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var addresses = ListenAddresses.Parse(options.Server.Urls);
        if (addresses.Error is not null)
        {
            return null; // reported by options validation, which names the setting
        }

        if (!options.Auth.HasApiKey && !addresses.AllLoopback)
        {
            return $"Invalid configuration: server.urls must be loopback addresses (e.g. http://127.0.0.1:8080) while auth.api_key is not set (got {options.Server.Urls}); set auth.api_key or ZENITH_auth__api_key to listen on other addresses.";
        }

        // Kestrel's own endpoint settings (Kestrel__Endpoints__Http__Url=...) win over server.urls: they must obey the same rule.
        foreach (var endpoint in builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var url = endpoint["Url"] ?? string.Empty;
            if (!options.Auth.HasApiKey && !ListenAddresses.Parse(url).AllLoopback)
            {
                return $"Invalid configuration: Kestrel:Endpoints:{endpoint.Key}:Url listens on {url}, which is not a loopback address, while auth.api_key is not set; remove it (use server.urls) or set auth.api_key or ZENITH_auth__api_key.";
            }
        }

        builder.WebHost.UseUrls([.. addresses.Urls.Select(u => u.OriginalString.TrimEnd('/'))]);
        return null;
    }

    /// <summary>
    /// The addresses the server really listens on, checked after it started: without an API key each must be a loopback one,
    /// whatever configured it (server.urls, Kestrel's settings, a host name Kestrel binds to every interface). The one-line
    /// error that stops the service, or null.
    /// </summary>
    public static string? CheckBoundAddresses(IEnumerable<string> bound, ZenithOptions options)
    {
        ArgumentNullException.ThrowIfNull(bound);
        ArgumentNullException.ThrowIfNull(options);
        var addresses = bound.ToList();
        var exposed = addresses.Where(a => !ListenAddresses.Parse(a).AllLoopback || IsAnyAddress(a)).ToList();
        return options.Auth.HasApiKey || exposed.Count == 0
            ? null
            : $"Refusing to serve: Zenith is listening on {string.Join(", ", exposed)}, which is not loopback, while auth.api_key is not set; set auth.api_key or ZENITH_auth__api_key, or listen on 127.0.0.1.";
    }

    /// <summary>Kestrel reports what it bound: [::] and 0.0.0.0 (every interface) never pass, whatever a name said.</summary>
    private static bool IsAnyAddress(string address) =>
        address.Contains("://[::]", StringComparison.Ordinal) || address.Contains("://0.0.0.0", StringComparison.Ordinal) || address.Contains("://*", StringComparison.Ordinal) || address.Contains("://+", StringComparison.Ordinal);

    /// <summary>Runs until stopped. A bad setting ends it with one line and exit code 1.</summary>
    public static async Task<int> RunZenithAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync();
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Invalid configuration: " + e.Failures.First());
            return 1;
        }

        var options = app.Services.GetRequiredService<IOptions<ZenithOptions>>().Value;
        if (CheckBoundAddresses(app.Urls, options) is { } exposed)
        {
            await Console.Error.WriteLineAsync(exposed);
            await app.StopAsync();
            return 1;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Zenith");
        logger.Listening(string.Join(", ", app.Urls));
        logger.MetadataReady(app.Services.GetRequiredService<MetadataDatabase>().FilePath, Migrations.LatestVersion);
        if (!options.Auth.HasApiKey)
        {
            logger.NoApiKey();
        }

        await app.WaitForShutdownAsync();
        return 0;
    }
}

