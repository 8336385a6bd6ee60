using System.Diagnostics;
using System.Text;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// A ClickHouse server for tests: the real ClickHouse engine (chdb) behind ClickHouse's HTTP
/// interface, run as <c>node tests/servers/clickhouse/server.mjs</c> on a free local port with a data
/// directory of its own. Unmodified ClickHouse clients talk to <see cref="Url"/>.
/// </summary>
public sealed class ClickHouseTestServer : IAsyncDisposable
{
    private const string ReadyPrefix = "READY ";
    private const int MaxCapturedStderr = 64 * 1024;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly string dataDirectory;
    private readonly StringBuilder stderr;

    private ClickHouseTestServer(Process process, string dataDirectory, StringBuilder stderr, string url, string? user, string? password)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
        this.stderr = stderr;
        Url = url;
        ConnectionString = ClickHouseConnectionStrings.FromUrl(url, user, password);
    }

    /// <summary>The HTTP interface, e.g. <c>http://127.0.0.1:41234</c> (no credentials in it).</summary>
    public string Url { get; }

    /// <summary>A ClickHouse.Driver connection string for <see cref="Url"/> and the server's account.</summary>
    public string ConnectionString { get; }

    /// <summary>What the server wrote to stderr so far (for diagnosing a failing test).</summary>
    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>Starts a server accepting user <c>default</c> with an empty password.</summary>
    public static Task<ClickHouseTestServer> StartAsync(CancellationToken ct = default) => StartAsync(user: null, password: null, ct);

    /// <summary>
    /// Starts a server that accepts only <paramref name="user"/> with <paramref name="password"/> (any
    /// other credentials get ClickHouse's 516 AUTHENTICATION_FAILED); null means <c>default</c> / empty.
    /// </summary>
    public static async Task<ClickHouseTestServer> StartAsync(string? user, string? password, CancellationToken ct = default)
    {
        var script = RepositoryPaths.ClickHouseServerScript;
        if (!File.Exists(script))
            throw new FileNotFoundException($"The ClickHouse test server script is missing at {script}.", script);

        var dataDirectory = Directory.CreateTempSubdirectory("zenith-clickhouse-").FullName;
        var startInfo = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, // the server exits when this closes, so it never outlives us
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in new[] { script, "--port", "0", "--host", "127.0.0.1", "--data", dataDirectory })
            startInfo.ArgumentList.Add(argument);
        if (user is not null)
        {
            startInfo.ArgumentList.Add("--user");
            startInfo.ArgumentList.Add(user);
        }
        if (password is not null)
        {
            startInfo.ArgumentList.Add("--password");
            startInfo.ArgumentList.Add(password);
        }

        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                ready.TrySetException(new InvalidOperationException("The ClickHouse test server closed its output before it was ready."));
            else if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                ready.TrySetResult(e.Data[ReadyPrefix.Length..].Trim());
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (stderr)
            {
                if (stderr.Length < MaxCapturedStderr)
                    stderr.AppendLine(e.Data);
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The ClickHouse test server exited before it was ready."));

        try
        {
            if (!process.Start())
                throw new InvalidOperationException("Could not start node.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            DeleteDirectory(dataDirectory);
            throw new InvalidOperationException($"Could not start the ClickHouse test server ('node {script}'); is Node.js 20+ on PATH? {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ready.Task.WaitAsync(StartTimeout, ct);
            return new ClickHouseTestServer(process, dataDirectory, stderr, url, user, password);
        }
        catch (Exception e)
        {
            await StopAsync(process);
            process.Dispose();
            DeleteDirectory(dataDirectory);
            string captured;
            lock (stderr)
            {
                captured = stderr.ToString();
            }
            if (e is OperationCanceledException && ct.IsCancellationRequested)
                throw;
            var reason = e is TimeoutException ? $"did not report READY within {StartTimeout.TotalSeconds:0} s" : e.Message;
            throw new InvalidOperationException($"The ClickHouse test server {reason}. Its stderr:{Environment.NewLine}{captured}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(process);
        process.Dispose();
        DeleteDirectory(dataDirectory);
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited)
                return;
            // Closing stdin is the server's signal to shut down cleanly.
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
