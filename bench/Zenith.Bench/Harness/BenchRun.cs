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
/// the source), measures Zenith's memory in a child process, runs the transform micro-benchmarks and
/// writes the report.
/// </summary>
internal sealed class BenchRun(BenchOptions options)
{
    public const string SourceDatabase = "bench";
    public const string TargetDatabase = "bench";

    private readonly List<CellResult> cells = [];
    private readonly List<DataSetInfo> dataSetInfos = [];
    private readonly List<string> notes = [];
    private readonly Stopwatch clock = new();
    private MemoryResult? memory;
    private ChangeStreamResult? changeStream;
    private VerificationBench? verification;

    private static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>The source address the contestants read: direct, or through a <see cref="LatencyProxy"/> when <c>ZENITH_BENCH_SOURCE_RTT_MS</c> is set (0: the proxy without delay, its own cost).</summary>
    private static async Task<(LatencyProxy? Proxy, string Uri)> SourceThroughAsync(string uri, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable("ZENITH_BENCH_SOURCE_RTT_MS") is not { Length: > 0 } text)
            return (null, uri);
        var (proxy, through) = LatencyProxy.Start(uri, TimeSpan.FromMilliseconds(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
        var direct = await LatencyProxy.MeasureRoundTripAsync(uri, ct).ConfigureAwait(false);
        var proxied = await LatencyProxy.MeasureRoundTripAsync(through, ct).ConfigureAwait(false);
        Log($"source through a latency proxy ({through}) adding {proxy.RoundTrip.TotalMilliseconds} ms per round trip: a ping takes {proxied.TotalMilliseconds:F2} ms through it, {direct.TotalMilliseconds:F2} ms direct");
        return (proxy, through);
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        clock.Restart();
        var loadAtStart = LoadAverage();
        Log($"load average at start: {loadAtStart}");
        Log("starting the ClickHouse test server and the MongoDB test server (its own process)");
        await using var clickHouse = await ClickHouseTestServer.StartAsync(ct).ConfigureAwait(false);
        await using var mongoServer = await MongoServerProcess.StartAsync(ct).ConfigureAwait(false);
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
            new NodeScriptContestant(sourceUri, clickHouse.Url, work),
            new MongoTableFunctionContestant(sourceUri, destination),
            new SourceCeiling(contestantsMongo),
            destinationCeiling,
        }.Where(c => options.Contestants is null || options.Contestants.Contains(c.Name) || options.Contestants.Contains(Slug(c.Name))).ToList();

        var dataSets = new List<DataSet>
        {
            new("flat", "flat events, scalars only (~300 B)", new FlatShape(), options.Size(2_000_000), seed: 1001),
            new("nested", "monitoring events shaped like seed 001: agent/window/site/screen/session subdocuments, 3 levels (~1 KB)", new NestedShape(), options.Size(1_000_000), seed: 1002),
            new("incremental", "the flat shape; 1% of the documents (one `bucket`) get a newer `updated_at`, then an incremental run", new FlatShape(), options.Size(1_000_000), seed: 1005, incremental: true),
            new("wide", "200 top-level fields of five scalar types (~7 KB)", new WideShape(), options.Size(200_000), seed: 1003),
            new("messy", "6-level nesting, optional fields, fields appearing in the last 40%, type conflicts, awkward names", new MessyShape(options.Size(200_000)), options.Size(200_000), seed: 1004),
        }.Where(d => options.DataSets is null || options.DataSets.Contains(d.Name)).ToList();

        try
        {
            foreach (var dataSet in dataSets)
            {
                Log($"{dataSet.Name}: generating and loading {dataSet.Documents:N0} documents");
                await dataSet.LoadAsync(source, ct).ConfigureAwait(false);
                if (options.Index && dataSet.Incremental)
                {
                    await source.GetCollection<MongoDB.Bson.BsonDocument>(dataSet.Collection).Indexes.CreateOneAsync(
                        new CreateIndexModel<MongoDB.Bson.BsonDocument>(Builders<MongoDB.Bson.BsonDocument>.IndexKeys.Ascending("updated_at").Ascending("_id")), cancellationToken: ct).ConfigureAwait(false);
                    notes.Add("The incremental collection has the index `{updated_at: 1, _id: 1}` (`--index`).");
                }
                dataSetInfos.Add(new DataSetInfo(dataSet.Name, dataSet.Title, dataSet.Documents, (double)dataSet.SourceBytes / dataSet.Documents, dataSet.LoadSeconds, dataSet.FlatSchema.Columns().Count));
                Log($"{dataSet.Name}: loaded in {dataSet.LoadSeconds:N1} s ({dataSet.InsertWaitSeconds:N1} s waiting for the server), {(double)dataSet.SourceBytes / dataSet.Documents:N0} B/doc");
                if (contestants.Contains(zenith))
                    await zenith.RestartAsync(ct).ConfigureAwait(false);
                if (dataSet.Incremental)
                    await RunIncrementalAsync(dataSet, contestants, source, destination, ct).ConfigureAwait(false);
                else
                    await RunFirstLoadsAsync(dataSet, contestants, zenith, destinationCeiling, destination, ct).ConfigureAwait(false);

                await source.DropCollectionAsync(dataSet.Collection, ct).ConfigureAwait(false);
                await source.DropCollectionAsync(dataSet.WarmUpCollection, ct).ConfigureAwait(false);
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
        return cells.Any(c => c.Status == "failed" && c.Contestant == ReportWriter.Zenith) || changeStream?.Check is not null ? 1 : 0;
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
        if (cells.Any(c => c.Note?.Contains("time budget", StringComparison.Ordinal) == true || c.Note?.Contains("sample", StringComparison.Ordinal) == true || c.Note?.Contains("deadline", StringComparison.Ordinal) == true))
            reportNotes.Add($"Time budgets keep the whole benchmark under 15 minutes: per data set, Zenith and the ceilings get {options.ZenithBudgetSeconds:N0} s of measured runs (Zenith and the insert ceiling at least one full run), the other contestants {options.CellBudgetSeconds:N0} s; fewer than {options.Runs} runs are marked \"time budget\". A contestant whose warm-up (on the sample: 5% of the data set, 2,000–100,000 documents; the insert ceiling: one chunk) shows that one full run would not fit its budget (Zenith: twice its budget, its warm-up being the service process's first run) is measured on that sample instead (\"sample\"/\"chunk\"; docs/s and × Zenith compare rates). Past {options.DeadlineSeconds / 60:N0} minutes every remaining cell gets one run, the contestants other than Zenith on the sample (\"deadline\").");
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
            ReportWriter.Targets(cells, micro, memory, verification, changeStream),
            reportNotes,
            changeStream);
    }

    private async Task RunFirstLoadsAsync(DataSet dataSet, List<IContestant> contestants, ZenithContestant zenith, DestinationCeiling destinationCeiling, Destination destination, CancellationToken ct)
    {
        string? reference = null;
        var tables = new List<string>();
        foreach (var contestant in contestants)
        {
            if (contestant.NotApplicable(dataSet) is { } why)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "n/a", [], null, null, why));
                continue;
            }
            if (contestant == destinationCeiling)
                await destinationCeiling.PrepareAsync(TargetDatabase, reference, ct).ConfigureAwait(false);
            var table = $"{dataSet.Name}_{Slug(contestant.Name)}";
            tables.Add(table);
            var cell = await MeasureAsync(dataSet, contestant, table, destination, async (target, token) =>
            {
                await destination.DropTableAsync(TargetDatabase, target.Table, token).ConfigureAwait(false);
                return await contestant.RunAsync(target, token).ConfigureAwait(false);
            }, final: false, ct).ConfigureAwait(false);
            cells.Add(cell);
            if (cell.Status == "ok" && reference is null && cell.Documents == dataSet.Documents && contestant.Name is ReportWriter.Zenith or ReportWriter.Node)
                reference = table;
            if (contestant == zenith && dataSet.Name == "flat")
            {
                await MeasureMemoryAsync(dataSet, zenith, cell, ct).ConfigureAwait(false);
                await MeasureVerificationAsync(dataSet, zenith, cell, ct).ConfigureAwait(false);
            }
        }
        await destinationCeiling.PrepareAsync(TargetDatabase, null, ct).ConfigureAwait(false);
        foreach (var table in tables)
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
    }

    /// <summary>The service process ran only the flat data set (warm-up and measured runs): its VmHWM now is their peak; VmRSS after an idle wait.</summary>
    private async Task MeasureMemoryAsync(DataSet dataSet, ZenithContestant zenith, CellResult cell, CancellationToken ct)
    {
        try
        {
            var peak = zenith.Service.PeakRssMiB;
            var idle = options.Memory ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
            await Task.Delay(idle, ct).ConfigureAwait(false);
            memory = new MemoryResult(
                $"the service process through the first loads of `{dataSet.Name}` (warm-up + {cell.Seconds.Length} run{(cell.Seconds.Length == 1 ? "" : "s")}), batch size {options.ZenithBatchSize:N0}",
                dataSet.Documents,
                cell.MedianSeconds ?? 0,
                peak,
                zenith.Service.RssMiB,
                idle.TotalSeconds,
                cell.Status == "ok" ? null : "the runs failed: " + cell.Note);
            // Which part of the idle RSS is the process's own (anonymous: heaps, W^X double-mapped code) and which is clean
            // file pages of the assemblies and native libraries it ran (shared, given back by the kernel under pressure).
            double Part(string field) => ProcStatus.ReadKb(zenith.Service.ProcessId, field) / 1024.0;
            var parts = $"anonymous {Part("RssAnon:"):N0} MiB, file-backed {Part("RssFile:"):N0} MiB, shared memory {Part("RssShmem:"):N0} MiB";
            notes.Add($"The service's idle RSS: {parts}.");
            Log($"memory: peak {memory.PeakRssMiB:N0} MiB, idle {memory.IdleRssMiB:N0} MiB ({parts})");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            notes.Add($"memory probe failed: {ex.Message}");
        }
    }

    /// <summary>
    /// Verifies the table of Zenith's largest flat run through the service's API (<c>POST /api/connectors/{id}/verify</c>, a sample of
    /// 1,000): ids compared per second as the service records it (<c>durationMs</c>), and the service's RSS sampled while it ran.
    /// </summary>
    private async Task MeasureVerificationAsync(DataSet dataSet, ZenithContestant zenith, CellResult cell, CancellationToken ct)
    {
        if (cell.Status != "ok" || zenith.LargestFirstLoad(dataSet.Name) is not { } id)
        {
            notes.Add("verification not measured: Zenith's flat runs did not succeed");
            return;
        }

        try
        {
            var before = zenith.Service.RssMiB;
            var (result, peak, phases) = await zenith.Service.VerifyAsync(id, sampleSize: 1000, ct).ConfigureAwait(false);
            var report = result.GetProperty("report");
            var compared = result.GetProperty("idsCompared").GetInt64();
            var seconds = result.GetProperty("durationMs").GetInt64() / 1000.0;
            var clean = report.GetProperty("clean").GetBoolean();
            var documents = report.GetProperty("sourceCount").GetInt64();
            var sampled = report.GetProperty("sampled").GetInt64();
            // MongoDB is read once for every id and once more for every sampled document (re-reads of differences aside).
            var elapsed = Math.Max(seconds, 0.001);
            double? At(string phase) => phases.FirstOrDefault(p => p.Phase == phase) is { Phase: not null } p ? p.At : null;
            var idPhase = At("ids") is { } start && (At("sample") ?? At("done")) is { } end ? end - start : (double?)null;
            verification = new VerificationBench(
                documents, compared, sampled, seconds, compared / elapsed, idPhase, (documents + sampled) / elapsed, before, Math.Max(before, peak), clean,
                clean ? null : $"the verification found differences: {report}");
            Log($"verify: {compared:N0} ids in {seconds:N2} s ({verification.IdsPerSecond:N0}/s; the id comparison alone {idPhase:N2} s, {verification.IdPhaseIdsPerSecond:N0}/s), MongoDB {verification.MongoReadsPerSecond:N0} documents/s, RSS {before:N0} → peak {verification.PeakRssMiB:N0} MiB, clean: {clean}; phases first seen: {string.Join(", ", phases.Select(p => $"{p.Phase} {p.At:N2} s"))}");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or HttpRequestException or KeyNotFoundException)
        {
            notes.Add($"verification failed: {ex.Message}");
        }
    }

    private async Task RunIncrementalAsync(DataSet dataSet, List<IContestant> contestants, IMongoDatabase source, Destination destination, CancellationToken ct)
    {
        string? seedTable = null;
        var tables = new List<string>();
        foreach (var contestant in contestants)
        {
            if (contestant.NotApplicable(dataSet) is { } why)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "n/a", [], null, null, why));
                continue;
            }
            var table = $"{dataSet.Name}_{Slug(contestant.Name)}";
            tables.Add(table);
            string initial;
            try
            {
                // The first load is not measured: it only brings the table to the source's current state.
                await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                initial = seedTable is null
                    ? await FirstLoadAsync(dataSet, contestant, table, dataSet.Collection, ct).ConfigureAwait(false)
                    : await SeedFromAsync(dataSet, contestant, table, seedTable, destination, ct).ConfigureAwait(false);
                if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } problem)
                {
                    if (seedTable is null)
                        throw new InvalidOperationException("after the first load: " + problem);
                    await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                    initial = await FirstLoadAsync(dataSet, contestant, table, dataSet.Collection, ct).ConfigureAwait(false) + $" (the copy did not match: {problem})";
                    if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } again)
                        throw new InvalidOperationException("after the first load: " + again);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "failed", [], null, null, ex.Message));
                Log($"{dataSet.Name} / {contestant.Name}: FAILED {ex.Message}");
                continue;
            }
            var cell = await MeasureAsync(dataSet, contestant, table, destination, async (target, token) =>
            {
                var changed = await dataSet.BumpAsync(source, token).ConfigureAwait(false);
                if (changed != dataSet.Documents / 100)
                    throw new InvalidOperationException($"updateMany changed {changed:N0} documents, expected {dataSet.Documents / 100:N0}");
                return await contestant.RunAsync(target with { Collection = dataSet.Collection, Table = table, Incremental = true }, token).ConfigureAwait(false);
            }, final: true, ct).ConfigureAwait(false);
            if (cell.Status == "ok")
                initial = Join(initial, await NothingFoundAsync(dataSet, contestant, table, ct).ConfigureAwait(false))!;
            cells.Add(cell with { Note = Join(cell.Note, initial) });
            // The next contestant starts from a copy of this table: it matched the source after this cell's last run.
            if (cell.Status == "ok" && contestant.WritesTable)
                seedTable = table;
        }
        foreach (var table in tables)
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
    }

    /// <summary>The run a schedule makes most often: nothing changed since the last one (3 runs, the median).</summary>
    private static async Task<string> NothingFoundAsync(DataSet dataSet, IContestant contestant, string table, CancellationToken ct)
    {
        var seconds = new List<double>();
        for (var i = 0; i < 3; i++)
            seconds.Add((await contestant.RunAsync(new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: true), ct).ConfigureAwait(false)).Seconds);
        Log($"{dataSet.Name} / {contestant.Name}: nothing found: {string.Join(", ", seconds.Select(s => s.ToString("N3", CultureInfo.InvariantCulture)))} s");
        return $"a run that finds nothing: median {Median(seconds) * 1000:N0} ms of 3";
    }

    private static async Task<string> FirstLoadAsync(DataSet dataSet, IContestant contestant, string table, string collection, CancellationToken ct)
    {
        var outcome = await contestant.RunAsync(new RunTarget(dataSet, collection, TargetDatabase, table, Incremental: false), ct).ConfigureAwait(false);
        return $"first load {outcome.Seconds:N1} s";
    }

    /// <summary>
    /// Brings a contestant's table to the source's state without its own first load (which is not measured,
    /// only slow): the contestant creates its table from an empty collection, then the rows of the previous
    /// contestant's table (checked against the source after its last run) are copied in (flat shape: the same
    /// column names). The caller checks the result like any first load and falls back to a real first load.
    /// </summary>
    private static async Task<string> SeedFromAsync(DataSet dataSet, IContestant contestant, string table, string seedTable, Destination destination, CancellationToken ct)
    {
        await contestant.RunAsync(new RunTarget(dataSet, dataSet.Collection + "_empty", TargetDatabase, table, Incremental: false), ct).ConfigureAwait(false);
        var columns = string.Join(", ", dataSet.FlatSchema.Columns().Select(c => Destination.Quote(c.Name)));
        await destination.ExecuteAsync($"INSERT INTO {Destination.Name(TargetDatabase, table)} ({columns}) SELECT {columns} FROM {Destination.Name(TargetDatabase, seedTable)} FINAL", ct).ConfigureAwait(false);
        return "first load: the previous contestant's rows copied in";
    }

    /// <summary>
    /// A warm-up run, then up to <see cref="BenchOptions.Runs"/> measured runs within the contestant's time budget,
    /// each verified. A contestant other than Zenith whose warm-up (1% of the documents) shows that one full run would
    /// not fit its budget runs on that warm-up sample instead.
    /// </summary>
    private async Task<CellResult> MeasureAsync(DataSet dataSet, IContestant contestant, string table, Destination destination,
        Func<RunTarget, CancellationToken, Task<RunOutcome>> run, bool final, CancellationToken ct)
    {
        var seconds = new List<double>();
        var isZenith = contestant.Name == ReportWriter.Zenith;
        // Zenith and the ceilings are the figures the targets and ratios rest on: they get the larger budget.
        var budget = isZenith || contestant is SourceCeiling or DestinationCeiling ? options.ZenithBudgetSeconds : options.CellBudgetSeconds;
        var late = clock.Elapsed.TotalSeconds > options.DeadlineSeconds;
        var runs = late ? 1 : options.Runs;
        var cellNotes = new List<string>();
        if (late)
            cellNotes.Add($"1 run: past the {options.DeadlineSeconds / 60:N0}-minute deadline");
        var collection = dataSet.Collection;
        ExpectedContent? expected = dataSet.Expected;
        long documents = dataSet.Incremental ? dataSet.Documents / 100 : dataSet.Documents;
        try
        {
            var warmUp = dataSet.Incremental
                ? new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: true)
                : new RunTarget(dataSet, dataSet.WarmUpCollection, TargetDatabase, table + "_warmup", Incremental: false);
            var warmUpSeconds = (await run(warmUp, ct).ConfigureAwait(false)).Seconds;
            if (!dataSet.Incremental)
                await destination.DropTableAsync(TargetDatabase, warmUp.Table, ct).ConfigureAwait(false);
            if (!dataSet.Incremental)
            {
                var warmUpDocuments = contestant is DestinationCeiling ceiling ? ceiling.FirstChunkRows : dataSet.WarmUpDocuments;
                var estimate = warmUpSeconds * dataSet.Documents / Math.Max(1, warmUpDocuments);
                Log($"{dataSet.Name} / {contestant.Name}: warm-up {warmUpSeconds:N3} s ({warmUpDocuments:N0} docs): one full run ≈ {estimate:N0} s");
                // Zenith's warm-up is its service process's first run (JIT, connections): its estimate is far too high, so
                // it is measured on the sample only when the estimate exceeds twice its budget (or past the deadline).
                if ((late && !isZenith) || estimate > (isZenith ? 2 * budget : budget))
                {
                    collection = dataSet.WarmUpCollection;
                    expected = contestant is DestinationCeiling ? null : dataSet.WarmUpExpected;
                    documents = warmUpDocuments;
                    var why = estimate > (isZenith ? 2 * budget : budget)
                        ? $"one full run ≈ {estimate:N0} s by the warm-up, over its {budget:N0} s budget"
                        : "past the deadline";
                    cellNotes.Add(contestant is DestinationCeiling ? $"one {documents:N0}-row chunk per run: {why}" : $"on the {documents:N0}-doc sample: {why}");
                }
            }
            for (var i = 0; i < runs; i++)
            {
                var target = new RunTarget(dataSet, collection, TargetDatabase, table, Incremental: dataSet.Incremental);
                var outcome = await run(target, ct).ConfigureAwait(false);
                if (contestant.WritesTable && expected is not null && await destination.VerifyAsync(TargetDatabase, table, expected, final, ct).ConfigureAwait(false) is { } problem)
                    throw new InvalidOperationException($"run {i + 1}: the table does not match the source: {problem}");
                if (expected is null && await destination.ScalarTextAsync($"SELECT count() FROM {Destination.Name(TargetDatabase, table)}", ct).ConfigureAwait(false) is var count && count != documents.ToString(CultureInfo.InvariantCulture))
                    throw new InvalidOperationException($"run {i + 1}: the table has {count} rows, expected {documents:N0}");
                if (!contestant.WritesTable && outcome.Rows != documents)
                    throw new InvalidOperationException($"run {i + 1}: read {outcome.Rows:N0} documents, expected {documents:N0}");
                seconds.Add(outcome.Seconds);
                Log($"{dataSet.Name} / {contestant.Name}: run {i + 1}: {outcome.Seconds:N3} s ({documents:N0} docs)");
                if (i == 0 && outcome.Seconds * runs > budget)
                {
                    var fit = Math.Max(1, (int)(budget / Math.Max(outcome.Seconds, 0.001)));
                    if (fit < runs)
                    {
                        runs = fit;
                        cellNotes.Add($"{fit} run{(fit == 1 ? "" : "s")} (time budget)");
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log($"{dataSet.Name} / {contestant.Name}: FAILED {ex.Message}");
            return new CellResult(dataSet.Name, contestant.Name, documents, "failed", [.. seconds], null, null, string.Join("; ", cellNotes.Append(ex.Message)));
        }
        var median = Median(seconds);
        return new CellResult(dataSet.Name, contestant.Name, documents, "ok", [.. seconds], median, documents / median, cellNotes.Count == 0 ? null : string.Join("; ", cellNotes));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string? Join(string? a, string b) => a is null ? b : $"{a}; {b}";

    public static string Slug(string name) => new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray());

    public static string Format(double value) => value.ToString("N2", CultureInfo.InvariantCulture);
}
