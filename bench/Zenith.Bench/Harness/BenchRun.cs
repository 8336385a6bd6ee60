using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver.ADO;
using MongoDB.Driver;
using Zenith.Bench.Contestants;
using Zenith.Bench.DataSets;
using Zenith.TestServers.ClickHouse;
using Zenith.TestServers.Mongo;

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
    private MemoryResult? memory;

    private static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Log("starting the ClickHouse and MongoDB test servers");
        await using var clickHouse = await ClickHouseTestServer.StartAsync(ct).ConfigureAwait(false);
        await using var mongoServer = MongoTestServer.Start();
        var connectionString = new ClickHouseConnectionStringBuilder { ConnectionString = clickHouse.ConnectionString, Timeout = TimeSpan.FromMinutes(20) }.ConnectionString;
        using var destination = new Destination(clickHouse.Url, connectionString);
        var mongo = new MongoClient(mongoServer.ConnectionString);
        var source = mongo.GetDatabase(SourceDatabase);
        await destination.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {Destination.Quote(TargetDatabase)}", ct).ConfigureAwait(false);
        var machine = await MachineInfo.CollectAsync(await destination.ScalarTextAsync("SELECT version()", ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        Log($"machine: {machine.Cores} cores, {machine.CpuModel}, {machine.MemoryGiB} GiB; ClickHouse {machine.ClickHouse}; MongoDB test server {mongoServer.ConnectionString}");

        var work = Directory.CreateTempSubdirectory("zenith-bench-").FullName;
        var destinationCeiling = new DestinationCeiling(destination);
        var contestants = new List<IContestant>
        {
            new ZenithContestant(mongoServer.ConnectionString, clickHouse.Url, options.ZenithBatchSize),
            new NodeScriptContestant(mongoServer.ConnectionString, clickHouse.Url, work),
            new MongoTableFunctionContestant(mongoServer.ConnectionString, destination),
            new SourceCeiling(mongo),
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

        foreach (var dataSet in dataSets)
        {
            Log($"{dataSet.Name}: generating and loading {dataSet.Documents:N0} documents");
            await dataSet.LoadAsync(source, ct).ConfigureAwait(false);
            dataSetInfos.Add(new DataSetInfo(dataSet.Name, dataSet.Title, dataSet.Documents, (double)dataSet.SourceBytes / dataSet.Documents, dataSet.LoadSeconds, dataSet.FlatSchema.Columns().Count));
            Log($"{dataSet.Name}: loaded in {dataSet.LoadSeconds:N1} s ({dataSet.InsertWaitSeconds:N1} s waiting for the server), {(double)dataSet.SourceBytes / dataSet.Documents:N0} B/doc");
            if (dataSet.Incremental)
                await RunIncrementalAsync(dataSet, contestants, source, destination, ct).ConfigureAwait(false);
            else
                await RunFirstLoadsAsync(dataSet, contestants, destinationCeiling, destination, ct).ConfigureAwait(false);

            if (options.Memory && dataSet.Name == "flat" && contestants.Any(c => c.Name == ReportWriter.Zenith))
            {
                Log("memory: Zenith alone in a child process on the flat data set");
                try
                {
                    await destination.DropTableAsync(TargetDatabase, "flat_memory", ct).ConfigureAwait(false);
                    memory = await MemoryProbe.MeasureAsync(mongoServer.ConnectionString, clickHouse.Url, dataSet.Collection, TargetDatabase, "flat_memory", options.ZenithBatchSize, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                    var problem = await destination.VerifyAsync(TargetDatabase, "flat_memory", dataSet.Expected, final: false, ct).ConfigureAwait(false);
                    if (problem is not null)
                        memory = memory with { Note = "the child's table did not match the source: " + problem };
                    Log($"memory: peak {memory.PeakRssMiB:N0} MiB, idle {memory.IdleRssMiB:N0} MiB");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    notes.Add($"memory probe failed: {ex.Message}");
                    Log($"memory probe failed: {ex.Message}");
                }
                await destination.DropTableAsync(TargetDatabase, "flat_memory", ct).ConfigureAwait(false);
            }
            await source.DropCollectionAsync(dataSet.Collection, ct).ConfigureAwait(false);
            await source.DropCollectionAsync(dataSet.WarmUpCollection, ct).ConfigureAwait(false);
            // Written after every data set, so a run cut short still leaves what it measured.
            await ReportWriter.WriteAsync(Report(started, clock, machine, contestants, [], partial: true), options.OutputDirectory, options.Quick, ct).ConfigureAwait(false);
        }

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

        var report = Report(started, clock, machine, contestants, micro, partial: false);
        await ReportWriter.WriteAsync(report, options.OutputDirectory, options.Quick, ct).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(ReportWriter.Markdown(report));
        Log($"written to {options.OutputDirectory}");
        return cells.Any(c => c.Status == "failed" && c.Contestant == ReportWriter.Zenith) ? 1 : 0;
    }

    private BenchReport Report(DateTimeOffset started, Stopwatch clock, MachineInfo machine, List<IContestant> contestants, List<MicroResult> micro, bool partial)
    {
        var reportNotes = new List<string>(notes);
        if (partial)
            reportNotes.Add("PARTIAL: written after a data set; the run was still going (or was cut short).");
        if (cells.Any(c => c.Note?.Contains("time budget", StringComparison.Ordinal) == true))
            reportNotes.Add($"Runs marked \"time budget\" were cut below {options.Runs} so the whole benchmark stays near 15 minutes: a contestant gets at most {options.CellBudgetSeconds:N0} s of measured runs per data set (at least one run).");
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
            ReportWriter.Targets(cells, micro, memory),
            reportNotes);
    }

    private async Task RunFirstLoadsAsync(DataSet dataSet, List<IContestant> contestants, DestinationCeiling destinationCeiling, Destination destination, CancellationToken ct)
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
            if (cell.Status == "ok" && reference is null && contestant.Name is ReportWriter.Zenith or ReportWriter.Node)
                reference = table;
        }
        await destinationCeiling.PrepareAsync(TargetDatabase, null, ct).ConfigureAwait(false);
        foreach (var table in tables)
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
    }

    private async Task RunIncrementalAsync(DataSet dataSet, List<IContestant> contestants, IMongoDatabase source, Destination destination, CancellationToken ct)
    {
        foreach (var contestant in contestants)
        {
            if (contestant.NotApplicable(dataSet) is { } why)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "n/a", [], null, null, why));
                continue;
            }
            var table = $"{dataSet.Name}_{Slug(contestant.Name)}";
            double initial;
            try
            {
                // The first load is not measured here: it only brings the table to the source's current state.
                await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                var outcome = await contestant.RunAsync(new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: false), ct).ConfigureAwait(false);
                initial = outcome.Seconds;
                if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } problem)
                    throw new InvalidOperationException("after the first load: " + problem);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "failed", [], null, null, ex.Message));
                Log($"{dataSet.Name} / {contestant.Name}: FAILED {ex.Message}");
                await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                continue;
            }
            var cell = await MeasureAsync(dataSet, contestant, table, destination, async (target, token) =>
            {
                var changed = await dataSet.BumpAsync(source, token).ConfigureAwait(false);
                if (changed != dataSet.Documents / 100)
                    throw new InvalidOperationException($"updateMany changed {changed:N0} documents, expected {dataSet.Documents / 100:N0}");
                return await contestant.RunAsync(target with { Collection = dataSet.Collection, Table = table, Incremental = true }, token).ConfigureAwait(false);
            }, final: true, ct).ConfigureAwait(false);
            cells.Add(cell with { Documents = dataSet.Documents / 100, Note = Join(cell.Note, $"first load {initial:N1} s") });
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A warm-up run, then up to <see cref="BenchOptions.Runs"/> measured runs within the time budget, each verified.</summary>
    private async Task<CellResult> MeasureAsync(DataSet dataSet, IContestant contestant, string table, Destination destination,
        Func<RunTarget, CancellationToken, Task<RunOutcome>> run, bool final, CancellationToken ct)
    {
        var seconds = new List<double>();
        var runs = options.Runs;
        string? note = null;
        try
        {
            var warmUp = dataSet.Incremental
                ? new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: true)
                : new RunTarget(dataSet, dataSet.WarmUpCollection, TargetDatabase, table + "_warmup", Incremental: false);
            await run(warmUp, ct).ConfigureAwait(false);
            if (!dataSet.Incremental)
                await destination.DropTableAsync(TargetDatabase, warmUp.Table, ct).ConfigureAwait(false);
            for (var i = 0; i < runs; i++)
            {
                var target = new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: dataSet.Incremental);
                var outcome = await run(target, ct).ConfigureAwait(false);
                if (contestant.WritesTable && await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final, ct).ConfigureAwait(false) is { } problem)
                    throw new InvalidOperationException($"run {i + 1}: the table does not match the source: {problem}");
                if (!contestant.WritesTable && outcome.Rows != dataSet.Documents)
                    throw new InvalidOperationException($"run {i + 1}: read {outcome.Rows:N0} documents, expected {dataSet.Documents:N0}");
                seconds.Add(outcome.Seconds);
                Log($"{dataSet.Name} / {contestant.Name}: run {i + 1}: {outcome.Seconds:N3} s");
                if (i == 0 && outcome.Seconds * runs > options.CellBudgetSeconds)
                {
                    var fit = Math.Max(1, (int)(options.CellBudgetSeconds / outcome.Seconds));
                    if (fit < runs)
                    {
                        runs = fit;
                        note = $"{fit} run{(fit == 1 ? "" : "s")} (time budget)";
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log($"{dataSet.Name} / {contestant.Name}: FAILED {ex.Message}");
            return new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "failed", [.. seconds], null, null, ex.Message);
        }
        var median = Median(seconds);
        var documents = dataSet.Incremental ? dataSet.Documents / 100 : dataSet.Documents;
        return new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "ok", [.. seconds], median, documents / median, note);
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
