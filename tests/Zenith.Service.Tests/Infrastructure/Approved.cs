namespace Zenith.Service.Tests.Infrastructure;

/// <summary>Approved-file snapshots: compare with the committed copy; with the update variable set, rewrite it instead.</summary>
public static class Approved
{
    public static string RepositoryRoot()
    {
        var stamped = typeof(Approved).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ZenithRepoRoot")?.Value;
        if (stamped is not null && File.Exists(Path.Combine(stamped, "Zenith.sln")))
        {
            return stamped;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zenith.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Zenith.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Asserts <paramref name="actual"/> equals the file at <paramref name="relativePath"/> (from the repo root).</summary>
    public static void Verify(string relativePath, string actual, string updateVariable)
    {
        var path = Path.Combine(RepositoryRoot(), relativePath);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable(updateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (expected != actual)
        {
            File.WriteAllText(path + ".received", actual);
            var diffAt = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Length, actual.Length));
            var line = expected[..Math.Min(diffAt, expected.Length)].Count(c => c == '\n') + 1;
            Assert.Fail($"{relativePath} is stale (first difference on line {line}); the new text is in {path}.received. "
                + $"If the change is intended, refresh it: {updateVariable}=1 dotnet test tests/Zenith.Service.Tests --filter <this test>.");
        }
    }
}
