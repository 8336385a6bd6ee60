using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;

namespace Zenith.TestServers.ClickHouse.Engine;

/// <summary>
/// The process of one ClickHouse test server: <c>Zenith.TestServers clickhouse-engine &lt;directory&gt; &lt;http port&gt;
/// &lt;native port&gt; &lt;user&gt;</c> (the user's password in <see cref="PasswordVariable"/>, never on the command line). It runs chDB's
/// clickhouse-local on the directory's batch (<see cref="EngineLayout"/>): <c>SYSTEM START LISTEN</c> for TCP and
/// HTTP, then a keep-alive query that never ends on its own. ClickHouse's own servers answer for as long as that
/// query runs.
/// <para>
/// It stops when its standard input closes (the parent asked, or died) or on SIGTERM, SIGINT or SIGHUP: it shuts
/// down the connections clients still hold (<see cref="AcceptedConnections"/>), kills the keep-alive query over
/// HTTP, clickhouse-local shuts down, the directory is removed and the process exits 0.
/// Exit code 3: the batch ended by itself (a failed start, e.g. a port taken; the reason is on stderr). Exit code
/// 4: the engine did not stop in time and the process was ended hard.
/// </para>
/// </summary>
internal static class EngineHost
{
    public const string Command = "clickhouse-engine";
    public const string PasswordVariable = "ZENITH_CLICKHOUSE_ENGINE_PASSWORD";
    public const int ExitStopped = 0;
    public const int ExitUsage = 2;
    public const int ExitEngineEnded = 3;
    public const int ExitForced = 4;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    public static int Run(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[1], out var httpPort) || !int.TryParse(args[2], out var nativePort) || !System.IO.Directory.Exists(args[0]))
        {
            Console.Error.WriteLine($"usage: Zenith.TestServers {Command} <directory> <http port> <native port> <user> (password in {PasswordVariable})");
            return ExitUsage;
        }
        var layout = new EngineLayout(args[0]);
        var user = args[3];
        var password = Environment.GetEnvironmentVariable(PasswordVariable) ?? string.Empty;

        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signals = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                stopRequested.TrySetResult();
            }))
            .ToList();
        var stdin = new Thread(() => WaitForEndOfInput(stopRequested)) { IsBackground = true, Name = "stdin watch" };
        stdin.Start();

        var engineEnded = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // clickhouse-local runs on a thread of its own with a main thread's stack, so this one stays free to stop it.
        var engine = new Thread(() => engineEnded.TrySetResult(RunEngine(layout)), maxStackSize: 64 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "clickhouse-local",
        };
        engine.Start();

        var first = Task.WaitAny(stopRequested.Task, engineEnded.Task);
        if (first == 1)
        {
            var error = engineEnded.Task.Result;
            Console.Error.WriteLine($"{Command}: the engine's batch ended by itself{(error is null ? "" : ": " + error)}");
            layout.TryDelete();
            return ExitEngineEnded;
        }

        var stopped = StopAsync(httpPort, nativePort, user, password, engineEnded.Task).GetAwaiter().GetResult();
        foreach (var registration in signals)
            registration.Dispose();
        if (!layout.TryDelete())
            Console.Error.WriteLine($"{Command}: could not remove {layout.Directory}");
        if (stopped)
            return ExitStopped;
        Console.Error.WriteLine($"{Command}: the engine did not stop within {StopTimeout.TotalSeconds:0} s; ending the process");
        Console.Error.Flush();
        ChDbLibrary.ExitImmediately(ExitForced);
        return ExitForced;
    }

    private static string? RunEngine(EngineLayout layout)
    {
        try
        {
            return ChDbLibrary.RunCommandLine(RepositoryPaths.LibChDb, layout.CommandLine);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return $"could not load {RepositoryPaths.LibChDb}: {e.Message}";
        }
    }

    private static void WaitForEndOfInput(TaskCompletionSource stopRequested)
    {
        try
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (input.Read(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A broken pipe is an end of input too.
        }
        stopRequested.TrySetResult();
    }

    /// <summary>Kills the keep-alive query (retrying while the server may still be starting) and waits for the engine to end.</summary>
    private static async Task<bool> StopAsync(int httpPort, int nativePort, string user, string password, Task engineEnded)
    {
        using var deadline = new CancellationTokenSource(StopTimeout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var kill = $"KILL QUERY WHERE query_id = '{EngineLayout.KeepAliveQueryId}' SYNC";
        while (!engineEnded.IsCompleted && !deadline.IsCancellationRequested)
        {
            try
            {
                AcceptedConnections.ShutDown([httpPort, nativePort]);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{httpPort}/"))
                {
                    Content = new StringContent(kill, Encoding.UTF8, new MediaTypeHeaderValue("text/plain")),
                };
                // Not left open for the engine's shutdown to wait on (see AcceptedConnections).
                request.Headers.ConnectionClose = true;
                request.Headers.Add("X-ClickHouse-User", user);
                request.Headers.Add("X-ClickHouse-Key", password);
                using var response = await http.SendAsync(request, deadline.Token);
                // SYNC answers once the query has ended, one line per query killed: none yet while the batch is
                // still starting, so try again.
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(deadline.Token)).Length > 0)
                    break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet (or any more): try again until the deadline.
            }
            await Task.WhenAny(engineEnded, Task.Delay(200, CancellationToken.None));
        }
        // A client that connected after the sweep would hold up the engine's shutdown just the same.
        while (!engineEnded.IsCompleted && !deadline.IsCancellationRequested)
        {
            AcceptedConnections.ShutDown([httpPort, nativePort]);
            await Task.WhenAny(engineEnded, Task.Delay(100, CancellationToken.None));
        }
        try
        {
            await engineEnded.WaitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
