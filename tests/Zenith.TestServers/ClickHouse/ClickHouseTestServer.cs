using System.Diagnostics;
using System.Net.Http.Headers;
using Zenith.TestServers.ClickHouse.Engine;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// A ClickHouse server for tests: ClickHouse 26.7's own HTTP and native TCP servers, run by chDB's library
/// (<c>libchdb.so</c>) in a process of its own (<see cref="EngineHost"/>), on free ports of 127.0.0.1, with a
/// directory of its own (configuration, users, data) that is removed when it stops. Unmodified ClickHouse clients
/// talk to <see cref="Url"/>.
/// <para>
/// A server that dies while in use is loud: the reason and its output go to stderr at once, <see cref="Died"/>
/// completes, <see cref="ThrowIfDied"/> throws, and so does <see cref="DisposeAsync"/>.
/// </para>
/// </summary>
public sealed class ClickHouseTestServer : IAsyncDisposable
{
    private const int MaxStartAttempts = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    // The engine process's own stop takes at most 20 s before it ends itself hard.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process process;
    private readonly EngineLayout layout;
    private readonly OutputTail output;
    private readonly Task exited;
    private readonly TaskCompletionSource<string> died = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool stopping;
    private int disposed;

    private ClickHouseTestServer(Process process, EngineLayout layout, OutputTail output, string user, string? password, int httpPort, int nativePort)
    {
        this.process = process;
        this.layout = layout;
        this.output = output;
        User = user;
        Password = password;
        HttpPort = httpPort;
        NativePort = nativePort;
        ProcessId = process.Id;
        Url = $"http://127.0.0.1:{httpPort}";
        ConnectionString = ClickHouseConnectionStrings.FromUrl(Url, user, password ?? string.Empty);
        exited = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => OnExited(), TaskScheduler.Default);
    }

    /// <summary>The HTTP interface, e.g. <c>http://127.0.0.1:41234</c> (no credentials in it).</summary>
    public string Url { get; }

    /// <summary>A ClickHouse.Driver connection string for <see cref="Url"/> and the server's account.</summary>
    public string ConnectionString { get; }

    /// <summary>The account the server accepts: <c>default</c> without a password unless another was asked for.</summary>
    public string User { get; }

    public string? Password { get; }

    public int HttpPort { get; }

    /// <summary>The native protocol's port (what <c>Distributed</c> tables and <c>remote()</c> use).</summary>
    public int NativePort { get; }

    public int ProcessId { get; }

    /// <summary>The server's own directory (configuration, users, data); removed when it stops.</summary>
    public string Directory => layout.Directory;

    /// <summary>The process's exit code once it has exited (0: it stopped when asked, and cleanly).</summary>
    public int? ExitCode { get; private set; }

    /// <summary>What the server wrote so far (its log at warning level and above, and stderr), bounded.</summary>
    public string Output => output.ToString();

    /// <summary>Completes, with the reason, if the server exits without having been asked to.</summary>
    public Task<string> Died => died.Task;

    /// <summary>Starts a server whose only account is <c>default</c> without a password, as a stock ClickHouse has.</summary>
    public static Task<ClickHouseTestServer> StartAsync(CancellationToken ct = default) => StartAsync(user: null, password: null, ct);

    /// <summary>
    /// Starts a server whose account is <paramref name="user"/> with <paramref name="password"/>, with access
    /// management, as the compose stack's (wrong credentials get ClickHouse's 516 AUTHENTICATION_FAILED); null
    /// means <c>default</c> without a password. chDB's own session needs a <c>default</c> user without a password
    /// too: it is allowed only from 127.0.0.1 and may only start the listeners.
    /// </summary>
    public static async Task<ClickHouseTestServer> StartAsync(string? user, string? password, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts.Take(2);
            try
            {
                return await StartOnAsync(user, password, ports[0], ports[1], [], ct);
            }
            catch (PortTakenException) when (attempt < MaxStartAttempts)
            {
                // Another process took a port between FreePorts and the server's bind: new ports.
            }
        }
    }

    /// <summary>Starts a server on the given ports; <see cref="PortTakenException"/> when one of them was taken.</summary>
    internal static async Task<ClickHouseTestServer> StartOnAsync(string? user, string? password, int httpPort, int nativePort,
        IReadOnlyList<ClickHouseClusterDefinition> clusters, CancellationToken ct)
    {
        var library = RepositoryPaths.LibChDb;
        if (!File.Exists(library))
            throw new FileNotFoundException($"chDB's library is missing at {library}: run `npm ci` at the repository root (it installs the npm package chdb), or set {RepositoryPaths.LibChDbVariable}.", library);

        user ??= ClickHouseServerConfig.DefaultUser;
        var layout = new EngineLayout(System.IO.Directory.CreateTempSubdirectory("zenith-clickhouse-").FullName);
        ClickHouseServerConfig.Write(layout, user, password, httpPort, nativePort, clusters);

        var output = new OutputTail();
        var process = StartProcess(layout, httpPort, nativePort, user, password, output);
        var server = new ClickHouseTestServer(process, layout, output, user, password, httpPort, nativePort);
        try
        {
            await server.WaitUntilReadyAsync(ct);
            return server;
        }
        catch (Exception e)
        {
            server.stopping = true;
            await server.StopAsync(); // also waits for the last of its output
            if (e is OperationCanceledException && ct.IsCancellationRequested)
                throw;
            if (output.Contains("Address already in use"))
                throw new PortTakenException();
            throw new InvalidOperationException($"The ClickHouse test server on port {httpPort} {e.Message}. Its output:{Environment.NewLine}{output}", e);
        }
    }

    /// <summary>Throws with the reason if the server died; tests call it (through the fixtures) before they use it.</summary>
    public void ThrowIfDied()
    {
        if (Died.IsCompleted)
            throw new InvalidOperationException(Died.Result);
    }

    public async ValueTask DisposeAsync()
    {
        stopping = true;
        if (Interlocked.Exchange(ref disposed, 1) == 0)
            await StopAsync();
        if (Died.IsCompleted)
            throw new InvalidOperationException(Died.Result);
    }

    private static Process StartProcess(EngineLayout layout, int httpPort, int nativePort, string user, string? password, OutputTail output)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true, // closing it stops the server, and it closes by itself if this process dies
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = layout.Directory,
        };
        var ports = new[] { httpPort, nativePort }.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var argument in new[] { typeof(EngineHost).Assembly.Location, EngineHost.Command, layout.Directory }.Concat(ports).Append(user))
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment[EngineHost.PasswordVariable] = password ?? string.Empty;
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                output.Add(e.Data);
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            layout.TryDelete();
            throw new InvalidOperationException($"Could not start the ClickHouse test server's process ('{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}'): {e.Message}", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // The SDK names its own host for the processes it starts (dotnet test, dotnet run); else dotnet on PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    /// <summary>Ready when <c>/ping</c> answers <c>Ok.</c> and the account can run <c>SELECT 1</c>.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"exited with code {process.ExitCode} before it was ready");
                try
                {
                    if (await Probe.GetStringAsync(new Uri($"{Url}/ping"), timeout.Token) == "Ok.\n")
                    {
                        var answer = await QueryAsync("SELECT 1", timeout.Token);
                        if (answer == "1\n")
                            return;
                        throw new InvalidOperationException($"answered SELECT 1 with '{answer.Trim()}'");
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.WhenAny(exited, Task.Delay(50, timeout.Token));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"was not ready within {StartTimeout.TotalSeconds:0} s");
        }
    }

    private async Task<string> QueryAsync(string sql, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{Url}/"))
        {
            Content = new StringContent(sql, System.Text.Encoding.UTF8, new MediaTypeHeaderValue("text/plain")),
        };
        request.Headers.Add("X-ClickHouse-User", User);
        request.Headers.Add("X-ClickHouse-Key", Password ?? string.Empty);
        using var response = await Probe.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"answered {sql} with HTTP {(int)response.StatusCode}: {body.Trim()}");
    }

    private void OnExited()
    {
        ExitCode = process.ExitCode;
        if (stopping)
            return;
        var reason = $"The ClickHouse test server at {Url} (pid {ProcessId}) exited with code {ExitCode} while in use. Its output:{Environment.NewLine}{output}";
        Console.Error.WriteLine(reason);
        died.TrySetResult(reason);
    }

    private async Task StopAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Console.Error.WriteLine($"The ClickHouse test server at {Url} (pid {ProcessId}) did not stop within {StopTimeout.TotalSeconds:0} s; killing it. Its output:{Environment.NewLine}{output}");
                    process.Kill(entireProcessTree: true);
                }
            }
            await exited;
            if (ExitCode is not (EngineHost.ExitStopped or EngineHost.ExitEngineEnded) && !Died.IsCompleted)
                Console.Error.WriteLine($"The ClickHouse test server at {Url} stopped with exit code {ExitCode}. Its output:{Environment.NewLine}{output}");
        }
        finally
        {
            process.Dispose();
            layout.TryDelete();
        }
    }
}

/// <summary>The server could not listen on a port it was given: another process took it.</summary>
internal sealed class PortTakenException : Exception
{
    public PortTakenException()
        : base("A port the ClickHouse test server was to listen on is taken.")
    {
    }
}
