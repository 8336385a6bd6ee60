using Dapper;
using Microsoft.Data.Sqlite;

namespace Zenith.Service.Metadata;

/// <summary>
/// The one SQLite file. Every caller opens a pooled connection per operation; WAL lets readers go on while a
/// run writes, and the busy timeout makes concurrent writers wait instead of failing.
/// </summary>
public sealed class MetadataDatabase
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(15);

    static MetadataDatabase()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public MetadataDatabase(string path)
    {
        FilePath = Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // Per-connection settings: wait for other writers; keep the WAL file from staying large after a checkpoint.
        await connection.ExecuteAsync(new CommandDefinition($"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA journal_size_limit = 1048576; PRAGMA synchronous = NORMAL;", cancellationToken: cancellationToken));
        return connection;
    }
}
