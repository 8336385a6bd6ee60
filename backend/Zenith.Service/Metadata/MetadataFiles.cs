namespace Zenith.Service.Metadata;

/// <summary>
/// The SQLite file and the key ring that decrypts the secrets in it are readable by their owner only: the database 0600 (SQLite
/// gives its WAL and shared-memory files the same mode), <c>keys/</c> 0700 and its files 0600. New ones are created so (before
/// SQLite or Data Protection would create them with the default umask, usually world-readable); existing ones that others could
/// read are tightened, and the service warns once that they were exposed. Nothing to do on Windows (ACLs of the user's profile).
/// </summary>
public sealed class MetadataFiles
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = OwnerFile | UnixFileMode.UserExecute;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly List<string> exposed = [];
    private int warned;

    public MetadataFiles(string databasePath, string keysPath)
    {
        DatabasePath = databasePath;
        KeysPath = keysPath;
    }

    public string DatabasePath { get; }

    public string KeysPath { get; }

    /// <summary>Files and directories that others could read before <see cref="Secure"/> tightened them.</summary>
    public IReadOnlyList<string> Exposed => exposed;

    /// <summary>Creates what is missing owner-only and tightens what is not.</summary>
    public MetadataFiles Secure()
    {
        if (OperatingSystem.IsWindows())
        {
            return this;
        }

        if (Path.GetDirectoryName(DatabasePath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        if (!Directory.Exists(KeysPath))
        {
            Directory.CreateDirectory(KeysPath, OwnerDirectory);
        }
        else if (Tighten(KeysPath, OwnerDirectory))
        {
            exposed.Add(KeysPath + "/");
        }

        foreach (var key in Directory.EnumerateFiles(KeysPath))
        {
            // Inside an owner-only directory a looser file was never exposed: tightened without a warning.
            Tighten(key, OwnerFile);
        }

        if (!File.Exists(DatabasePath))
        {
            using var _ = new FileStream(DatabasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerFile });
        }

        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" }.Where(File.Exists))
        {
            if (Tighten(file, OwnerFile))
            {
                exposed.Add(file);
            }
        }

        return this;
    }

    /// <summary>Says once per process which files others could read (they are owner-only now).</summary>
    public void WarnOnce(ILogger logger)
    {
        if (exposed.Count > 0 && Interlocked.Exchange(ref warned, 1) == 0)
        {
            Telemetry.LogMessages.MetadataFilesExposed(logger, string.Join(", ", exposed));
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool Tighten(string path, UnixFileMode mode)
    {
        var current = File.GetUnixFileMode(path);
        if ((current & Others) == 0)
        {
            return false;
        }

        File.SetUnixFileMode(path, (current & ~Others) | mode);
        return true;
    }
}
