using System.Reflection;
using System.Runtime.InteropServices;

namespace Zenith.TestServers.ClickHouse;

/// <summary>Where the repository's files are, wherever the build output lands.</summary>
internal static class RepositoryPaths
{
    /// <summary>Names another libchdb.so than the one npm installed (e.g. a newer chDB under test).</summary>
    public const string LibChDbVariable = "ZENITH_LIBCHDB";

    /// <summary>The repository root, taken from the <c>ZenithRepoRoot</c> assembly metadata set at build time.</summary>
    public static string Root { get; } = typeof(RepositoryPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "ZenithRepoRoot")?.Value
        ?? throw new InvalidOperationException("The assembly has no ZenithRepoRoot metadata; build it through Zenith.TestServers.csproj.");

    /// <summary>
    /// chDB's shared library: ClickHouse 26.7 built as a library, from the npm package <c>chdb</c>'s platform
    /// package (<c>@chdb/lib-linux-x64-gnu</c>), which the root <c>npm ci</c> installs.
    /// </summary>
    public static string LibChDb
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(LibChDbVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
                return fromEnvironment;
            var architecture = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
            return Path.Combine(Root, "node_modules", "@chdb", $"lib-linux-{architecture}-gnu", "libchdb.so");
        }
    }
}
