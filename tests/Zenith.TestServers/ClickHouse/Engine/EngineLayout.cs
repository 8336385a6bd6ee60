namespace Zenith.TestServers.ClickHouse.Engine;

/// <summary>
/// The files of one server, all in a directory of its own that is removed when the server stops: the server
/// configuration, the users, the batch the engine runs, and ClickHouse's data directory.
/// </summary>
internal readonly record struct EngineLayout(string Directory)
{
    /// <summary>The query id of the batch's queries; its last query, the keep-alive, is killed by this id to stop the server.</summary>
    public const string KeepAliveQueryId = "zenith-keep-alive";

    public string Config => Path.Combine(Directory, "config.xml");

    public string Users => Path.Combine(Directory, "users.xml");

    public string Queries => Path.Combine(Directory, "serve.sql");

    public string Data => Path.Combine(Directory, "data");

    /// <summary>The clickhouse-local command line that serves until the keep-alive query ends.</summary>
    public IReadOnlyList<string> CommandLine =>
    [
        $"--path={Data}",
        $"--config-file={Config}",
        // The engine logs to stderr, which the test server keeps (bounded) to explain a failure: warnings and errors only.
        "--log-level=warning",
        $"--query_id={KeepAliveQueryId}",
        "--multiquery",
        $"--queries-file={Queries}",
    ];

    /// <summary>Removes the directory; false when something in it could not be removed.</summary>
    public bool TryDelete()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return true;
            }
            catch (DirectoryNotFoundException)
            {
                return true;
            }
            catch (IOException)
            {
                // A file written while the tree was being removed (an engine that was stopped hard): once more.
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
        return false;
    }
}
