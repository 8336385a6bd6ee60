using System.Reflection;

namespace Zenith.Bench.Harness;

internal static class RepoPaths
{
    /// <summary>The repository root, from the <c>ZenithRepoRoot</c> assembly metadata set at build time.</summary>
    public static string Root { get; } = typeof(RepoPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "ZenithRepoRoot")?.Value
        ?? throw new InvalidOperationException("The assembly has no ZenithRepoRoot metadata.");
}
