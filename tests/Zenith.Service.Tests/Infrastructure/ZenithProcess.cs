using System.Diagnostics;

namespace Zenith.Service.Tests.Infrastructure;

/// <summary>The real <c>zenith</c> binary (zenith.dll beside the tests), run as a user runs it.</summary>
public static class ZenithProcess
{
    public static ProcessStartInfo StartInfo(string directory, Dictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zenith.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ZENITH_server__urls"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public static async Task<(int Exit, string[] Stdout, string[] Stderr)> RunAsync(string directory, Dictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(directory, environment, args))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"zenith {string.Join(' ', args)} kept running; stdout: {await stdout}");
        }

        return (process.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
