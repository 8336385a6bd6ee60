using System.Diagnostics;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>
/// The sync runner (tests/Zenith.Sync.Runner) as a child process: one sync with a file checkpoint. It prints
/// "committed N ROWS" after each batch, so a test waits for a number of commits instead of sleeping, then SIGKILLs it.
/// Its output is read as it comes (a full pipe would stall it).
/// </summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task<string> _stderr;
    private readonly Task _stdout;
    private readonly SemaphoreSlim _changed = new(0);

    private RunnerProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _stdout = Task.Run(PumpAsync);
    }

    public int Commits
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count(l => l.StartsWith("committed ", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Every line the runner printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static RunnerProcess Start(ConnectorSpec connector, string checkpointFile)
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "Zenith.Sync.Runner.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            runner,
            "--mongo", connector.Source.Uri, "--database", connector.Source.Database, "--collection", connector.Source.Collection,
            "--clickhouse", connector.Destination.Uri, "--ch-database", connector.Destination.Database, "--table", connector.Destination.Table,
            "--mode", connector.Mode.ToString(), "--cursor-field", connector.CursorField,
            "--batch-size", connector.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--checkpoint-file", checkpointFile,
            "--connector-id", connector.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--settle-seconds", connector.SettleSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // Inserts of up to 2 batches: coalesced, and still enough of them for every kill to land mid-run.
            "--max-insert-rows", (connector.BatchSize * 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new RunnerProcess(Process.Start(info) ?? throw new InvalidOperationException("the runner did not start"));
    }

    /// <summary>Waits until the runner committed <paramref name="commits"/> batches in all; false if it exited first.</summary>
    public async Task<bool> WaitForCommitsAsync(int commits, CancellationToken ct)
    {
        while (Commits < commits)
        {
            if (_stdout.IsCompleted)
            {
                return Commits >= commits;
            }

            await _changed.WaitAsync(ct);
        }

        return true;
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no finally blocks, no flushing, no goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL if it still runs; true when the kill landed before the run ended on its own.</summary>
    public async Task<bool> TryKillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // It had exited.
        }

        await _process.WaitForExitAsync();
        await _stdout;
        return !Output.Split('\n').Any(l => l.StartsWith("done ", StringComparison.Ordinal));
    }

    /// <summary>Waits for the runner to end on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        await _stdout.WaitAsync(ct);
        lock (_lines)
        {
            _lines.Add(_stderr.Result);
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        // The pump ends with the process's output; only then may what it signals go.
        _stdout.Wait(TimeSpan.FromMinutes(1));
        _process.Dispose();
        _changed.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }

                _changed.Release();
            }
        }
        finally
        {
            _changed.Release();
        }
    }
}
