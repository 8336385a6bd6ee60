namespace Zenith.Bench.Harness;

/// <summary>
/// The other programs the benchmark runs, built beside this one (the project references build them; with
/// <c>--artifacts-path</c> each project lands in <c>bin/&lt;project&gt;/release/</c>, without it in its own <c>bin/Release/net10.0/</c>).
/// </summary>
internal static class BuildOutputs
{
    /// <summary>The MongoDB wire-protocol test server, run standalone (<c>--mongo</c>).</summary>
    public static string TestServersDll => Find("Zenith.TestServers", "Zenith.TestServers.dll", Path.Combine("tests", "Zenith.TestServers"));

    /// <summary>The Zenith service (<c>zenith serve</c>), the product as users run it.</summary>
    public static string ServiceDll => Find("Zenith.Service", "zenith.dll", Path.Combine("backend", "Zenith.Service"));

    private static string Find(string project, string file, string projectDirectory)
    {
        var here = AppContext.BaseDirectory;
        var pivot = Path.GetFileName(Path.TrimEndingDirectorySeparator(here));
        string[] candidates =
        [
            // --artifacts-path layout: <artifacts>/bin/Zenith.Bench/release/ → <artifacts>/bin/<project>/release/
            Path.Combine(here, "..", "..", project, pivot, file),
            // classic layout: <project dir>/bin/Release/net10.0/
            Path.Combine(RepoPaths.Root, projectDirectory, "bin", "Release", "net10.0", file),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(p => File.Exists(p) && File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
            ?? throw new InvalidOperationException($"{file} is not built (looked at {string.Join(", ", candidates.Select(Path.GetFullPath))}); bench/run.sh builds it");
    }
}
