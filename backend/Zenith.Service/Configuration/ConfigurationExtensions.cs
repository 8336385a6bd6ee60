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
    /// <exception cref="InvalidOperationException">A value cannot be read as its type; the message names the setting in one line.</exception>
    public static ZenithOptions ReadZenithOptions(this IConfiguration configuration)
    {
        var options = new ZenithOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder says "Failed to convert configuration value 'abc' at 'processing:batch_size' to type 'System.Int32'."
            var key = System.Text.RegularExpressions.Regex.Match(e.Message, "at '([^']+)'").Groups[1].Value.Replace(':', '.');
            var value = System.Text.RegularExpressions.Regex.Match(e.Message, "value '([^']*)'").Groups[1].Value;
            throw new InvalidOperationException(key.Length == 0
                ? "Invalid configuration: " + e.Message.ReplaceLineEndings(" ")
                : $"Invalid configuration: {key} has a value of the wrong type (got \"{value}\")", e);
        }

        return options;
    }
}
