using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver.ADO;
using MongoDB.Driver;
using Zenith.Bench.Contestants;
using Zenith.Bench.DataSets;
using Zenith.TestServers.ClickHouse;

namespace Zenith.Bench.Harness;

/// <summary>
/// The whole benchmark: starts both test servers, loads each data set, runs every contestant on it
/// (a warm-up on a small collection of the same shape, then the measured runs, each checked against
/// the source and each with its CPU time read from /proc), measures Zenith's memory, runs the transform
/// micro-benchmarks and writes the report. The first loads, the incremental scenario and the measuring
/// of one cell are in the other parts of this class.
/// </summary>
internal sealed partial class BenchRun(BenchOptions options)
{
    public const string SourceDatabase = "bench";
    public const string TargetDatabase = "bench";

    private readonly List<CellResult> cells = [];
    private readonly List<DataSetInfo> dataSetInfos = [];
    private readonly List<string> notes = [];
    private readonly Stopwatch clock = new();
    private CpuMeter? cpuMeter;
    private MemoryResult? memory;
    private FourConnectorsResult? fourConnectors;
    private ChangeStreamResult? changeStream;
    private VerificationBench? verification;
    private double? nodeStartUpCpuSeconds;

    private CpuMeter Cpu => cpuMeter ?? throw new InvalidOperationException("the test servers are not started");

    private static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>The source address the contestants read: direct, or through a <see cref="LatencyProxy"/> (<c>--source-rtt-ms</c>; 0: the proxy without delay, its own cost).</summary>
    private async Task<(LatencyProxy? Proxy, string Uri)> SourceThroughAsync(string uri, CancellationToken ct)
    {
        if (options.SourceRoundTripMs is not { } roundTrip)
            return (null, uri);
        var (proxy, through) = LatencyProxy.Start(uri, TimeSpan.FromMilliseconds(roundTrip));
        var direct = await LatencyProxy.MeasureRoundTripAsync(uri, ct).ConfigureAwait(false);
        var proxied = await LatencyProxy.MeasureRoundTripAsync(through, ct).ConfigureAwait(false);
        var line = $"The contestants read MongoDB through a latency proxy (`--source-rtt-ms {roundTrip}`: a remote source; each chunk held for half the round trip in each direction, at least, as Thread.Sleep rounds up to the millisecond): a MongoDB ping took {proxied.TotalMilliseconds:F2} ms through it and {direct.TotalMilliseconds:F2} ms direct (medians of 20). Loading and table checks go direct.";
        Log(line);
        notes.Add(line);
        return (proxy, through);
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        clock.Restart();
        var loadAtStart = LoadAverage();
        Log($"load average at start: {loadAtStart}; CPU time read from /proc at {ProcCpu.TicksPerSecond:N0} clock ticks per second");
        Log("starting the ClickHouse test server and the MongoDB test server (its own process)");
        await using var clickHouse = await ClickHouseTestServer.StartAsync(ct).ConfigureAwait(false);
        await using var mongoServer = await MongoServerProcess.StartAsync(ct).ConfigureAwait(false);
        cpuMeter = new CpuMeter(mongoServer.ProcessId, clickHouse.ProcessId);
        var connectionString = new ClickHouseConnectionStringBuilder { ConnectionString = clickHouse.ConnectionString, Timeout = TimeSpan.FromMinutes(20) }.ConnectionString;
        using var destination = new Destination(clickHouse.Url, connectionString);
        var mongo = new MongoClient(mongoServer.ConnectionString);
        var source = mongo.GetDatabase(SourceDatabase);
        // The contestants read through the latency proxy when one is asked for (a remote source); loading and checks go direct.
        var (proxy, sourceUri) = await SourceThroughAsync(mongoServer.ConnectionString, ct).ConfigureAwait(false);
        await using var _ = proxy;
        var contestantsMongo = proxy is null ? mongo : new MongoClient(sourceUri);
        await destination.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {Destination.Quote(TargetDatabase)}", ct).ConfigureAwait(false);
        var machine = await MachineInfo.CollectAsync(await destination.ScalarTextAsync("SELECT version()", ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        Log($"machine: {machine.Cores} cores, {machine.CpuModel}, {machine.MemoryGiB} GiB; ClickHouse {machine.ClickHouse}; MongoDB test server {mongoServer.ConnectionString} (pid {mongoServer.ProcessId})");

        var work = Directory.CreateTempSubdirectory("zenith-bench-").FullName;
        var destinationCeiling = new DestinationCeiling(destination);
        var zenith = new ZenithContestant(sourceUri, clickHouse.Url, options.ZenithBatchSize);
        var contestants = new List<IContestant>
        {
            zenith,
            new ZenithNullContestant(zenith, destination),
            new NodeScriptContestant(sourceUri, clickHouse.Url, work),
            new MongoTableFunctionContestant(sourceUri, destination, clickHouse.ProcessId),
            new SourceCeiling(contestantsMongo),
            destinationCeiling,
        }.Where(c => options.Contestants is null || options.Contestants.Contains(c.Name) || options.Contestants.Contains(Slug(c.Name)) || options.Contestants.Contains(c.Key)).ToList();
        var usesService = contestants.Any(c => c is ZenithContestant or ZenithNullContestant);
        if (contestants.Any(c => c is NodeScriptContestant))
        {
            nodeStartUpCpuSeconds = await NodeScriptContestant.StartUpCpuSecondsAsync(ct).ConfigureAwait(false);
            notes.Add($"The Node script's start-up alone (node loading its two drivers, then exiting; median of 3) costs {nodeStartUpCpuSeconds:N2} CPU-s: every run pays it and it is in the script's CPU s / M docs (a large part of it on a small sample); the verdicts on CPU per document take it out of the script's figure, so they do not flatter Zenith.");
        }

        const string IncrementalTitle = "the flat shape; 1% of the documents (one `bucket`) get a newer `updated_at`, then an incremental run";
        var dataSets = new List<DataSet>
        {
            new("flat", "flat events, scalars only (~300 B)", new FlatShape(), options.Size(2_000_000), seed: 1001),
            new("nested", "monitoring events shaped like seed 001: agent/window/site/screen/session subdocuments, 3 levels (~1 KB)", new NestedShape(), options.Size(1_000_000), seed: 1002),
            new("incremental (index)", IncrementalTitle + "; the collection has the index `{updated_at: 1, _id: 1}`", new FlatShape(), options.Size(1_000_000), seed: 1005, incremental: true, key: "incremental_index", indexed: true),
            new("incremental (no index)", IncrementalTitle + "; no index on `updated_at` (each run sorts the whole collection)", new FlatShape(), options.Size(1_000_000), seed: 1005, incremental: true, key: "incremental_noindex"),
            new("wide", "200 top-level fields of five scalar types (~7 KB)", new WideShape(), options.Size(200_000), seed: 1003),
            new("messy", "6-level nesting, optional fields, fields appearing in the last 40%, type conflicts, awkward names", new MessyShape(options.Size(200_000)), options.Size(200_000), seed: 1004),
        }.Where(d => options.Selects(d)).ToList();

        try
        {
            foreach (var dataSet in dataSets)
            {
                Log($"{dataSet.Name}: generating and loading {dataSet.Documents:N0} documents");
                await dataSet.LoadAsync(source, ct).ConfigureAwait(false);
                if (dataSet.Indexed)
                {
                    await source.GetCollection<MongoDB.Bson.BsonDocument>(dataSet.Collection).Indexes.CreateOneAsync(
                        new CreateIndexModel<MongoDB.Bson.BsonDocument>(Builders<MongoDB.Bson.BsonDocument>.IndexKeys.Ascending("updated_at").Ascending("_id")), cancellationToken: ct).ConfigureAwait(false);
                }
                dataSetInfos.Add(new DataSetInfo(dataSet.Name, dataSet.Title, dataSet.Documents, (double)dataSet.SourceBytes / dataSet.Documents, dataSet.LoadSeconds, dataSet.FlatSchema.Columns().Count));
                Log($"{dataSet.Name}: loaded in {dataSet.LoadSeconds:N1} s ({dataSet.InsertWaitSeconds:N1} s waiting for the server), {(double)dataSet.SourceBytes / dataSet.Documents:N0} B/doc");
                if (usesService)
                    await zenith.RestartAsync(ct).ConfigureAwait(false);
                if (dataSet.Incremental)
                    await RunIncrementalAsync(dataSet, contestants, source, destination, ct).ConfigureAwait(false);
                else
                    await RunFirstLoadsAsync(dataSet, contestants, zenith, destinationCeiling, destination, ct).ConfigureAwait(false);

                await source.DropCollectionAsync(dataSet.Collection, ct).ConfigureAwait(false);
                await source.DropCollectionAsync(dataSet.WarmUpCollection, ct).ConfigureAwait(false);
                if (dataSet.Key == "flat" && contestants.Contains(zenith) && options.Memory)
                    await MeasureFourConnectorsAsync(dataSet, source, mongoServer.ConnectionString, clickHouse.Url, destination, ct).ConfigureAwait(false);
                Log($"{dataSet.Name}: done at {clock.Elapsed.TotalMinutes:N1} min");
                // Written after every data set, so a run cut short still leaves what it measured.
                await ReportWriter.WriteAsync(Report(started, machine, contestants, [], partial: true), options.OutputDirectory, options.Quick, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await zenith.StopAsync().ConfigureAwait(false);
        }

        if (options.DataSets is null || options.DataSets.Contains("changestream"))
        {
            Log("changestream: a live connector under mixed writes");
            try
            {
                changeStream = await ChangeStreamScenario.RunAsync(source, mongoServer.ConnectionString, clickHouse.Url, destination, options, Log, ct).ConfigureAwait(false);
                Log($"changestream: p50 {changeStream.LatencyP50Seconds:N2} s, p99 {changeStream.LatencyP99Seconds:N2} s, {changeStream.EventsPerSecond:N0} events/s, peak RSS {changeStream.PeakRssMiB:N0} MiB{(changeStream.Check is null ? "" : "; CHECK FAILED: " + changeStream.Check)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                notes.Add($"the change-stream scenario failed: {ex.Message}");
            }
        }

        notes.Add($"The MongoDB test server (its own process) peaked at {mongoServer.PeakRssMiB:N0} MiB RSS; the ClickHouse test server (ClickHouse's own server run by chDB, its own process) at {ProcStatus.ReadKb(clickHouse.ProcessId, "VmHWM:") / 1024.0:N0} MiB.");

        Directory.Delete(work, recursive: true);
        var micro = new List<MicroResult>();
        if (options.Micro)
        {
            Log("micro-benchmarks of the transform stage (BenchmarkDotNet)");
            try
            {
                micro.AddRange(Micro.MicroRunner.Run(options.Quick));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                notes.Add($"micro-benchmarks failed: {ex.Message}");
            }
        }

        notes.Insert(0, $"Load average (1, 5, 15 min) at the start: {loadAtStart}; at the end: {LoadAverage()} (2 cores; other engineers' builds share the machine).");
        var report = Report(started, machine, contestants, micro, partial: false);
        await ReportWriter.WriteAsync(report, options.OutputDirectory, options.Quick, ct).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(ReportWriter.Markdown(report));
        Log($"written to {options.OutputDirectory}; total run time {clock.Elapsed.TotalMinutes:N1} min ({clock.Elapsed.TotalSeconds:N0} s)");
        return cells.Any(c => c.Status == "failed" && c.Contestant == ReportWriter.Zenith) || changeStream?.Check is not null || fourConnectors?.Check is not null ? 1 : 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private BenchReport Report(DateTimeOffset started, MachineInfo machine, List<IContestant> contestants, List<MicroResult> micro, bool partial)
    {
        var reportNotes = new List<string>(notes);
        if (partial)
            reportNotes.Add("PARTIAL: written after a data set; the run was still going (or was cut short).");
        reportNotes.Add($"CPU s / M docs: user + system time of the contestant's own processes, from /proc/<pid>/stat (utime + stime, {ProcCpu.TicksPerSecond:N0} clock ticks per second), read before and after each measured run (the delta over that run only), per million documents, median over the measured runs. Whose processes: "
            + string.Join("; ", contestants.Select(c => $"{c.Name}: {c.Cpu.Whose}"))
            + ". The ceilings run inside the harness, so their figure is the harness's own work (the servers' work for them is in latest.json, as for every cell). Beside each run the MongoDB test server's, the ClickHouse test server's and the harness's CPU time are read the same way (latest.json, `cpu`); Zenith's are in the table \"Where the two cores went\".");
        if (cells.Any(c => c.Note?.Contains("time budget", StringComparison.Ordinal) == true || c.Note?.Contains("sample", StringComparison.Ordinal) == true || c.Note?.Contains("deadline", StringComparison.Ordinal) == true))
            reportNotes.Add($"Time budgets keep the whole benchmark under 15 minutes: per data set, Zenith and the ceilings get {options.ZenithBudgetSeconds:N0} s of measured runs (Zenith and the insert ceiling at least one full run), the other contestants {options.CellBudgetSeconds:N0} s ({ReportWriter.ZenithNull} and every contestant on the incremental data set without the index: at most {SideRuns} runs; runs that find nothing: 3 for Zenith, 1 for the others); fewer than {options.Runs} runs are marked \"time budget\". A contestant whose warm-up (on the sample: 5% of the data set, 2,000–100,000 documents; the insert ceiling: one chunk) shows that one full run would not fit its budget (Zenith: twice its budget, its warm-up being the service process's first run) is measured on that sample instead (\"sample\"/\"chunk\"; docs/s and × Zenith compare rates). Past {options.DeadlineSeconds / 60:N0} minutes every remaining cell gets one run, the contestants other than Zenith on the sample (\"deadline\").");
        return new BenchReport(
            started,
            clock.Elapsed.TotalSeconds,
            options.Quick ? "quick: a twentieth of the documents" : "full",
            machine,
            contestants.Select(c => new ContestantInfo(c.Name, c.Description)).ToList(),
            [.. dataSetInfos],
            [.. cells],
            micro,
            memory,
            verification,
            TargetVerdicts.All(cells, micro, memory, verification, changeStream, fourConnectors, nodeStartUpCpuSeconds),
            reportNotes,
            changeStream,
            fourConnectors);
    }

    /// <summary>After the flat data set: four connectors at once in a fresh service process (issue 15's memory with several connectors).</summary>
    private async Task MeasureFourConnectorsAsync(DataSet flat, IMongoDatabase source, string mongoUri, string clickHouseUrl, Destination destination, CancellationToken ct)
    {
        try
        {
            fourConnectors = await FourConnectorsScenario.RunAsync(flat, source, mongoUri, clickHouseUrl, destination, options.ZenithBatchSize, Log, ct).ConfigureAwait(false);
            Log($"four connectors: {fourConnectors.Connectors} × {fourConnectors.DocumentsEach:N0} docs in {fourConnectors.Seconds:N1} s (all four at once for {fourConnectors.OverlapSeconds:N1} s): peak RSS {fourConnectors.PeakRssMiB:N0} MiB, idle {fourConnectors.IdleRssMiB:N0} MiB{(fourConnectors.Check is null ? "" : "; CHECK FAILED: " + fourConnectors.Check)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            notes.Add($"the four-connector memory measurement failed: {ex.Message}");
        }
    }

    private static string? Join(string? a, string b) => a is null ? b : $"{a}; {b}";

    public static string Slug(string name) => new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray());

    public static string Format(double value) => value.ToString("N2", CultureInfo.InvariantCulture);
}
