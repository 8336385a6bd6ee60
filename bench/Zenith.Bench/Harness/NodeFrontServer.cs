using System.Diagnostics;
using System.Text;

namespace Zenith.Bench.Harness;

/// <summary>
/// The ClickHouse test server before issue 17, for <c>--compare-node-front</c>: chDB's engine behind our own Node
/// HTTP front (<c>node tests/servers/clickhouse/server.mjs</c>), measured beside ClickHouse's own server in the same
/// run to decide whether the front can go.
/// </summary>
internal sealed class NodeFrontServer : IAsyncDisposable
{
    private readonly Process process;

    private NodeFrontServer(Process process, string url)
    {
        this.process = process;
        Url = url;
    }

    public string Url { get; }

    public int ProcessId => process.Id;

    public static async Task<NodeFrontServer> StartAsync(CancellationToken ct)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "servers", "clickhouse", "server.mjs");
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, // the front exits when this closes
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in new[] { script, "--port", "0", "--host", "127.0.0.1" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the Node front");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
                stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            lock (stderr)
                throw new InvalidOperationException($"the Node front did not start: {line}\n{stderr}");
        }
        return new NodeFrontServer(process, line["READY ".Length..].Trim());
    }

    /// <summary>Peak resident set of the front's process so far (VmHWM), in MiB.</summary>
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
