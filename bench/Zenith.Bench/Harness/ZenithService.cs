using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Zenith.Bench.Harness;

/// <summary>
/// Zenith as users run it: the service binary (<c>dotnet zenith.dll serve</c>, its own process with its own
/// runtime settings, a SQLite metadata file in a scratch directory) driven through its HTTP API. A new
/// connector runs at once; later runs are <c>POST /api/connectors/{id}/sync</c>. Each run's time is the one
/// the service records (<c>durationMs</c>: the engine's connect → last batch acknowledged).
/// </summary>
internal sealed class ZenithService : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly Process process;
    private readonly HttpClient http;
    private readonly string directory;

    private ZenithService(Process process, HttpClient http, string directory)
    {
        this.process = process;
        this.http = http;
        this.directory = directory;
    }

    public int ProcessId => process.Id;

    /// <summary>Peak resident set since the process started (VmHWM), in MiB.</summary>
    public double PeakRssMiB => ProcStatus.ReadKb(process.Id, "VmHWM:") / 1024.0;

    /// <summary>Current resident set (VmRSS), in MiB.</summary>
    public double RssMiB => ProcStatus.ReadKb(process.Id, "VmRSS:") / 1024.0;

    public static async Task<ZenithService> StartAsync(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("zenith-bench-service-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var url = $"http://127.0.0.1:{port}";
        await File.WriteAllTextAsync(Path.Combine(directory, "zenith.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["metadata_storage"] = new { type = "sqlite3", path = "./zenith_metadata.db" },
            ["server"] = new { urls = url },
            ["Logging"] = new { LogLevel = new { Default = "Warning" } },
            // The verification's throughput is measured, not the production cap (default 200,000 documents/s).
            ["verification"] = new { max_documents_per_second = 100_000_000 },
        }), ct).ConfigureAwait(false);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        info.ArgumentList.Add(BuildOutputs.ServiceDll);
        info.ArgumentList.Add("serve");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the Zenith service");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var service = new ZenithService(process, http, directory);
        // A harness stopped by Ctrl-C or SIGTERM may exit before its finally blocks run: never leave the service behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => service.KillIfRunning();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"the Zenith service exited with {process.ExitCode}: {Tail(output)}");
                try
                {
                    using var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative), ct).ConfigureAwait(false);
                    if (ready.IsSuccessStatusCode)
                        return service;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                if (deadline.Elapsed > TimeSpan.FromMinutes(2))
                    throw new InvalidOperationException($"the Zenith service was not ready within 2 minutes: {Tail(output)}");
                await Task.Delay(Poll, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        static string Tail(System.Text.StringBuilder output)
        {
            lock (output)
                return Contestants.ChildProcess.Tail(output.ToString());
        }
    }

    /// <summary>Adds a connector (it runs at once) and waits for that first run; returns the connector's id and the run.</summary>
    public async Task<(long Id, ServiceRun Run)> AddAndAwaitFirstRunAsync(object connector, CancellationToken ct)
    {
        var id = await AddAsync(connector, ct).ConfigureAwait(false);
        return (id, await AwaitFirstRunAsync(id, ct).ConfigureAwait(false));
    }

    /// <summary>Waits for the first run of connector <paramref name="id"/> (added, so running or about to) to finish.</summary>
    public async Task<ServiceRun> AwaitFirstRunAsync(long id, CancellationToken ct)
    {
        while (true)
        {
            var current = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/connectors/{id}", UriKind.Relative), ct).ConfigureAwait(false);
            if (!current.GetProperty("running").GetBoolean()
                && current.TryGetProperty("lastResult", out var last) && last.ValueKind == JsonValueKind.Object
                && ServiceRun.From(last) is { Finished: true } run)
                return run;
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Adds a connector (it runs at once); returns its id.</summary>
    public async Task<long> AddAsync(object connector, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/connectors", UriKind.Relative), connector, JsonSerializerOptions.Web, ct).ConfigureAwait(false);
        await EnsureAsync(response, "adding the connector", ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false)).GetProperty("id").GetInt64();
    }

    /// <summary>The connector as the API shows it.</summary>
    public Task<JsonElement> GetAsync(long id, CancellationToken ct) =>
        http.GetFromJsonAsync<JsonElement>(new Uri($"api/connectors/{id}", UriKind.Relative), ct);

    public async Task PauseAsync(long id, CancellationToken ct)
    {
        using var empty = EmptyJson();
        using var response = await http.PostAsync(new Uri($"api/connectors/{id}/pause", UriKind.Relative), empty, ct).ConfigureAwait(false);
        await EnsureAsync(response, "pausing the connector", ct).ConfigureAwait(false);
    }

    /// <summary>Starts a run of connector <paramref name="id"/> now and waits for it.</summary>
    public async Task<ServiceRun> SyncAsync(long id, CancellationToken ct)
    {
        using var empty = EmptyJson();
        using var response = await http.PostAsync(new Uri($"api/connectors/{id}/sync", UriKind.Relative), empty, ct).ConfigureAwait(false);
        await EnsureAsync(response, "starting a run", ct).ConfigureAwait(false);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false)).GetProperty("id").GetInt64();
        while (true)
        {
            var run = ServiceRun.From(await http.GetFromJsonAsync<JsonElement>(new Uri($"api/runs/{runId}", UriKind.Relative), ct).ConfigureAwait(false));
            if (run.Finished)
                return run;
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Verifies connector <paramref name="id"/> and waits for the result; also the highest VmRSS (MiB) seen while it ran and when
    /// (seconds after the request, to the poll) each phase was first seen, to tell the id comparison's time from the sample's.
    /// </summary>
    public async Task<(JsonElement Verification, double PeakRssMiB, IReadOnlyList<(string Phase, double At)> Phases)> VerifyAsync(long id, int sampleSize, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var phases = new List<(string Phase, double At)>();
        using var response = await http.PostAsJsonAsync(new Uri($"api/connectors/{id}/verify", UriKind.Relative), new { sampleSize }, JsonSerializerOptions.Web, ct).ConfigureAwait(false);
        await EnsureAsync(response, "starting a verification", ct).ConfigureAwait(false);
        var verificationId = (await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false)).GetProperty("id").GetInt64();
        var peak = RssMiB;
        while (true)
        {
            peak = Math.Max(peak, RssMiB);
            var current = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/verifications/{verificationId}", UriKind.Relative), ct).ConfigureAwait(false);
            var status = current.GetProperty("status").GetString();
            var phase = current.GetProperty("phase").GetString();
            if (phase is not null && (phases.Count == 0 || phases[^1].Phase != phase))
                phases.Add((phase, clock.Elapsed.TotalSeconds));
            if (status is "succeeded")
                return (current, peak, phases);
            if (status is "failed" or "cancelled")
                throw new InvalidOperationException($"the verification {status}: {current.GetProperty("error")}");
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(long id, CancellationToken ct)
    {
        using var response = await http.DeleteAsync(new Uri($"api/connectors/{id}", UriKind.Relative), ct).ConfigureAwait(false);
        await EnsureAsync(response, "deleting the connector", ct).ConfigureAwait(false);
    }

    // The keyless service takes changes only as JSON, with or without a body (a bodiless POST is refused with 415).
    private static StringContent EmptyJson() => new(string.Empty, System.Text.Encoding.UTF8, "application/json");

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{what}: the service answered {(int)response.StatusCode}: {Contestants.ChildProcess.Tail(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false))}");
    }

    private void KillIfRunning()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already disposed: nothing to stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            // SIGTERM-like stop is not needed: the metadata file is scratch; the run is over.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch directory left in /tmp is harmless.
        }
    }
}

/// <summary>One run as the service's API reports it.</summary>
internal sealed record ServiceRun(string Status, long? DurationMs, long RowsRead, long RowsWritten, long RowsFailed, string? Error)
{
    // A run waiting for a slot is "queued" before it is "running": only its outcome ends the wait.
    public bool Finished => Status is "succeeded" or "failed" or "cancelled";

    public static ServiceRun From(JsonElement run) => new(
        run.GetProperty("status").GetString() ?? "",
        run.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : null,
        run.GetProperty("rowsRead").GetInt64(),
        run.GetProperty("rowsWritten").GetInt64(),
        run.GetProperty("rowsFailed").GetInt64(),
        run.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null);
}
