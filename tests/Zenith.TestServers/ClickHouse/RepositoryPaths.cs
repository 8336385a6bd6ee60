using System.Reflection;

namespace Zenith.TestServers.ClickHouse;

/// <summary>Where the repository's files are, wherever the build output lands.</summary>
internal static class RepositoryPaths
{
    /// <summary>The repository root, taken from the <c>ZenithRepoRoot</c> assembly metadata set at build time.</summary>
    public static string Root { get; } = typeof(RepositoryPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "ZenithRepoRoot")?.Value
        ?? throw new InvalidOperationException("The assembly has no ZenithRepoRoot metadata; build it through Zenith.TestServers.csproj.");

    public static string ClickHouseServerScript => Path.Combine(Root, "tests", "servers", "clickhouse", "server.mjs");
}
