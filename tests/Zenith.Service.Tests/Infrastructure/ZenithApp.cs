using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>
/// The real service in process, on its own SQLite file in <see cref="Directory"/>; a second instance on the same directory is a
/// restart. A directory it made itself is deleted when it is disposed; one it was given belongs to the caller.
/// </summary>
public sealed class ZenithApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly TempDirectory? owned;

    public ZenithApp(string? directory = null, Dictionary<string, string?>? settings = null)
    {
        owned = directory is null ? new TempDirectory() : null;
        Directory = directory ?? owned!.Path;
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        owned?.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            owned?.Dispose();
        }
    }
}

/// <summary>A directory of one test's own under the temp folder, deleted with everything in it on <see cref="Dispose"/>.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zenith-service-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
