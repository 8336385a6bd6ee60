using System.Diagnostics;

namespace Zenith.Bench.Harness;

/// <summary>
/// The MongoDB wire-protocol test server in its own process (<c>Zenith.TestServers.dll --mongo --port 0
/// --exit-on-stdin-close</c>), so its multi-GB heap of stored documents is not the harness's and not Zenith's.
/// </summary>
internal sealed class MongoServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private MongoServerProcess(Process process, string connectionString)
    {
        this.process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public int ProcessId => process.Id;

    public static async Task<MongoServerProcess> StartAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { BuildOutputs.TestServersDll, "--mongo", "--port", "0", "--exit-on-stdin-close" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the MongoDB test server");
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            string? uri = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("MONGO ", StringComparison.Ordinal))
                    uri = line["MONGO ".Length..].Trim();
                else if (line == "READY")
                    break;
            }
            if (uri is null)
                throw new InvalidOperationException($"the MongoDB test server did not print its address: {Contestants.ChildProcess.Tail(await stderr.ConfigureAwait(false))}");
            // Keep draining stdout so the server never blocks on a full pipe.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            return new MongoServerProcess(process, uri);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Peak resident set of the server so far (VmHWM), in MiB.</summary>
    public double PeakRssMiB => ProcStatus.ReadKb(process.Id, "VmHWM:") / 1024.0;

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }
}

/// <summary>Figures from <c>/proc/&lt;pid&gt;/status</c>.</summary>
internal static class ProcStatus
{
    public static long ReadKb(int pid, string key)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/proc/{pid}/status has no {key}");
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
