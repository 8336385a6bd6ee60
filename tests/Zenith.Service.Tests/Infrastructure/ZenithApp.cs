using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>The real service in process, on its own SQLite file in <see cref="Directory"/>; a second instance on the same directory is a restart.</summary>
public sealed class ZenithApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    public ZenithApp(string? directory = null, Dictionary<string, string?>? settings = null)
    {
        Directory = directory ?? TempDirectory.Create();
        this.settings = settings ?? [];
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "zenith.db");

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("metadata_storage:path", DatabasePath);
        builder.UseSetting(WebHostDefaults.WebRootKey, Path.Combine(Directory, "wwwroot"));
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }
}

public static class TempDirectory
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "zenith-service-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
