using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Zenith.Bench.Harness;

/// <summary>
/// Runs Zenith alone in a child process (this executable's <c>zenith-child</c> command) and reads its
/// <c>/proc/&lt;pid&gt;/status</c>: VmHWM (peak resident set) once the run is done, VmRSS after it sat idle.
/// </summary>
internal static class MemoryProbe
{
    public const string ResultPrefix = "RESULT ";

    public static async Task<MemoryResult> MeasureAsync(string mongoUri, string clickHouseUrl, string collection, string database, string table, int batchSize, TimeSpan idle, CancellationToken ct)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet")
            info.ArgumentList.Add(typeof(MemoryProbe).Assembly.Location);
        foreach (var a in new[] { "zenith-child", "--mongo", mongoUri, "--clickhouse", clickHouseUrl, "--collection", collection, "--database", database, "--table", table, "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the Zenith child process");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false)) is not null && !line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
            }
            if (line is null)
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
                throw new InvalidOperationException($"the Zenith child process ended without a result: {Contestants.ChildProcess.Tail(await stderr.ConfigureAwait(false))}");
            }
            var peak = ReadStatusKb(process.Id, "VmHWM:");
            await Task.Delay(idle, ct).ConfigureAwait(false);
            var idleRss = ReadStatusKb(process.Id, "VmRSS:");
            using var json = JsonDocument.Parse(line[ResultPrefix.Length..]);
            return new MemoryResult(
                $"first load of `{collection}`, batch size {batchSize:N0}",
                json.RootElement.GetProperty("rows").GetInt64(),
                json.RootElement.GetProperty("seconds").GetDouble(),
                peak / 1024.0,
                idleRss / 1024.0,
                idle.TotalSeconds,
                null);
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                process.Kill(entireProcessTree: true);
        }
    }

    private static long ReadStatusKb(int pid, string key)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/proc/{pid}/status has no {key}");
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The child's side: one run, its result on stdout, then idle until the parent closes stdin.</summary>
    public static async Task<int> ChildAsync(string mongoUri, string clickHouseUrl, string collection, string database, string table, int batchSize, CancellationToken ct)
    {
        var result = await Contestants.ZenithContestant.RunOnceAsync(mongoUri, clickHouseUrl, collection, database, table, timestampCursor: false, batchSize,
            new Contestants.ZenithContestant.MemoryCheckpointStore(), ct).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(ResultPrefix + JsonSerializer.Serialize(new { rows = result.RowsWritten, seconds = result.Duration.TotalSeconds })).ConfigureAwait(false);
        await Console.Out.FlushAsync(ct).ConfigureAwait(false);
        await Console.In.ReadToEndAsync(ct).ConfigureAwait(false);
        return 0;
    }
}
