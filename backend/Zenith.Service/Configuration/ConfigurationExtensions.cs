using Microsoft.Extensions.Options;

namespace Zenith.Service.Configuration;

public static class ConfigurationExtensions
{
    public const string EnvironmentPrefix = "ZENITH_";
    public const string FileName = "zenith.json";

    /// <summary><c>zenith.json</c> from the working directory, then <c>ZENITH_*</c> environment variables over it.</summary>
    public static IConfigurationBuilder AddZenithConfiguration(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Quiet framework defaults first, so zenith.json ("Logging": {...}) and the environment can still change them.
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            },
        });
        // Command-line arguments stay last (they win); zenith.json and ZENITH_* go just before them.
        var commandLine = configuration.Sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.CommandLine.CommandLineConfigurationSource);
        var at = commandLine < 0 ? configuration.Sources.Count : commandLine;
        configuration.Sources.Insert(at, new Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix });
        configuration.Sources.Insert(at, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = FileName,
            Optional = true,
            ReloadOnChange = false,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Directory.GetCurrentDirectory()),
        });
        return configuration;
    }

    public static IServiceCollection AddZenithOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<ZenithOptions>, ZenithOptionsValidator>();
        services.AddOptions<ZenithOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The options as bound now, for decisions made while composing the app (routes, addresses).</summary>
    public static ZenithOptions ReadZenithOptions(this IConfiguration configuration)
    {
        var options = new ZenithOptions();
        configuration.Bind(options);
        return options;
    }
}
