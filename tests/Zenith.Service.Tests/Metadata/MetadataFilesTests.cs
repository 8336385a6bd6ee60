using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Metadata;

/// <summary>Issue 14, item 7: the SQLite file and the key ring beside it are readable by their owner only.</summary>
public sealed class MetadataFilesTests
{
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task A_new_database_and_key_ring_are_created_owner_only_without_a_warning()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes only; Windows keeps the profile's ACLs.
        }

        using var app = new ZenithApp();
        using var client = app.CreateClient();
        await client.PostJsonAsync("/api/connectors", Connector(), expected: 201);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(app.Directory, "keys")));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(app.Directory, "keys")).Append(app.DatabasePath).Append(app.DatabasePath + "-wal"))
        {
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(file) & Others);
        }

        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("Other users could read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_others_could_read_are_tightened_and_the_service_warns_once()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TempDirectory();
        using (var first = new ZenithApp(directory.Path))
        using (var client = first.CreateClient())
        {
            await client.PostJsonAsync("/api/connectors", Connector(), expected: 201);
        }

        // What an older Zenith left with the default umask.
        var keys = Path.Combine(directory.Path, "keys");
        File.SetUnixFileMode(keys, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(directory.Path, "zenith.db"), (UnixFileMode)0b110_100_100);

        using var again = new ZenithApp(directory.Path);
        using var http = again.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/api/connectors")).StatusCode);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(keys) & Others);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(directory.Path, "zenith.db")) & Others);
        var warning = Assert.Single(again.Logs.Lines, l => l.Contains("Other users could read", StringComparison.Ordinal));
        Assert.Contains("keys/", warning, StringComparison.Ordinal);
        Assert.Contains("zenith.db", warning, StringComparison.Ordinal);
    }

    private static object Connector() => new
    {
        name = "files_" + Guid.NewGuid().ToString("N")[..8],
        source = new { uri = "mongodb://app:F1les-pw@127.0.0.1:1/?serverSelectionTimeoutMS=300", database = "monitoring", collection = "visits" },
        destination = new { uri = "http://default:F1les-pw@127.0.0.1:1", database = "analytics", table = "visits" },
        mode = "incremental_id",
        intervalSeconds = 3600,
    };
}
