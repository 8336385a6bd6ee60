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

        builder.WebHost.UseUrls([.. addresses.Urls.Select(u => u.OriginalString.TrimEnd('/'))]);
        return null;
    }

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

