using System.Diagnostics;
using System.Text.Json;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>bench/contestants/node-script.mjs: the official Node drivers, batches of 10,000 rows as JSONEachRow.</summary>
internal sealed class NodeScriptContestant(string mongoUri, string clickHouseUrl, string workDirectory) : IContestant
{
    public string Name => "node-script";

    public string Key => "node_script";

    // The script is a child process started per run: once it exited and was reaped its CPU time (and its own reaped children's)
    // is in this process's cutime + cstime; nothing else the harness starts runs beside it.
    public CpuProbe Cpu { get; } = new("the Node script's process and its children, node's start-up included (the harness's reaped children: /proc/self/stat cutime + cstime)", ProcCpu.ReapedChildrenTicks);

    public string Description => "Node script: `mongodb` cursor → `@clickhouse/client` JSONEachRow inserts of 10,000 rows, flattening like Zenith, into a hand-written table";

    public bool WritesTable => true;

    public string? NotApplicable(DataSet dataSet) => null;

    /// <summary>
    /// The CPU seconds of the script's start-up alone: node loading the two drivers the script imports, then exiting (median of 3).
    /// Every run pays it, and it is in each run's figure; on a small sample it is a large part of it.
    /// </summary>
    public static async Task<double> StartUpCpuSecondsAsync(CancellationToken ct)
    {
        var seconds = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var before = ProcCpu.ReapedChildrenTicks();
            await ChildProcess.RunAsync("node", ["--input-type=module", "-e", "await import('mongodb'); await import('@clickhouse/client');"], RepoPaths.Root, ct).ConfigureAwait(false);
            seconds.Add(ProcCpu.Seconds(ProcCpu.ReapedChildrenTicks() - before));
        }
        return Statistics.Median(seconds);
    }

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var schemaFile = Path.Combine(workDirectory, $"schema-{target.DataSet.Name}.json");
        if (!File.Exists(schemaFile))
        {
            var schema = new { maxDepth = target.DataSet.FlatSchema.MaxDepth, separator = UserSchema.Separator, columns = target.DataSet.FlatSchema.Columns().Select(c => new { name = c.Name, type = c.Type }) };
            await File.WriteAllTextAsync(schemaFile, JsonSerializer.Serialize(schema), ct).ConfigureAwait(false);
        }
        string[] arguments =
        [
            Path.Combine(RepoPaths.Root, "bench", "contestants", "node-script.mjs"),
            "--mongo", mongoUri, "--db", Harness.BenchRun.SourceDatabase, "--collection", target.Collection,
            "--clickhouse", clickHouseUrl, "--database", target.Database, "--table", target.Table,
            "--schema", schemaFile, "--batch", "10000",
        ];
        if (target.Incremental)
            arguments = [.. arguments, "--incremental"];
        var (stdout, _) = await ChildProcess.RunAsync("node", arguments, RepoPaths.Root, ct).ConfigureAwait(false);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException("the Node script printed nothing");
        using var json = JsonDocument.Parse(last);
        return new RunOutcome(json.RootElement.GetProperty("seconds").GetDouble(), json.RootElement.GetProperty("rows").GetInt64());
    }
}

/// <summary>Runs a child process to completion; a non-zero exit is an error carrying the end of its stderr.</summary>
internal static class ChildProcess
{
    public static async Task<(string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, CancellationToken ct)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        // A harness stopped by Ctrl-C or SIGTERM may exit before this method's catch runs: never leave the child behind.
        EventHandler onExit = (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It has exited.
            }
        };
        AppDomain.CurrentDomain.ProcessExit += onExit;
        using var unregister = new Unregister(() => AppDomain.CurrentDomain.ProcessExit -= onExit);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var (output, errors) = (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} exited with {process.ExitCode}: {Tail(errors)}");
        return (output, errors);
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    public static string Tail(string text, int max = 600)
    {
        text = text.Trim();
        return text.Length <= max ? text : "…" + text[^max..];
    }
}
