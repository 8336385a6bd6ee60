using System.Text;
using Microsoft.Data.Sqlite;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>What a test reads or copies of a service's SQLite file, as a user or a backup would.</summary>
public static class DatabaseFiles
{
    /// <summary>The database and its WAL as Latin-1 text (every byte survives), to search for what must not be there in clear.</summary>
    public static async Task<string> ReadTextAsync(string databasePath)
    {
        var builder = new StringBuilder();
        foreach (var path in new[] { databasePath, databasePath + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            builder.Append(await reader.ReadToEndAsync());
        }

        return builder.ToString();
    }

    /// <summary>What a careless backup restores: the SQLite file and its WAL, into a new directory, without keys/ beside them.</summary>
    public static TempDirectory CopyWithoutKeys(string directory)
    {
        SqliteConnection.ClearAllPools();
        var copy = new TempDirectory();
        foreach (var file in Directory.EnumerateFiles(directory, "zenith.db*"))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        return copy;
    }
}
