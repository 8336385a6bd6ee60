using System.CommandLine;
using Zenith.Bench.Harness;

var quick = new Option<bool>("--quick") { Description = "A twentieth of the documents, 3 measured runs, shorter micro-benchmarks (for development)." };
var runs = new Option<int?>("--runs") { Description = "Measured runs per contestant and data set after the warm-up (default 5, 3 with --quick)." };
var budget = new Option<double?>("--cell-budget") { Description = "Seconds of measured runs one contestant may take on one data set before its runs are cut (default 45, 20 with --quick)." };
var batchSize = new Option<int>("--batch-size") { Description = "Zenith's batch size (rows per insert).", DefaultValueFactory = _ => 10_000 };
var dataSets = new Option<string[]>("--datasets") { Description = "Only these data sets: flat, nested, wide, messy, incremental.", AllowMultipleArgumentsPerToken = true };
var contestants = new Option<string[]>("--contestants") { Description = "Only these contestants (names or slugs: zenith, node_script, chdb_mongodb__, ceiling__read_only, ceiling__insert_RowBinary).", AllowMultipleArgumentsPerToken = true };
var noMicro = new Option<bool>("--no-micro") { Description = "Skip the BenchmarkDotNet micro-benchmarks." };
var noMemory = new Option<bool>("--no-memory") { Description = "Skip the child-process memory measurement." };
var output = new Option<string>("--output") { Description = "Where latest.json and latest.md go.", DefaultValueFactory = _ => Path.Combine(RepoPaths.Root, "bench", "results") };

var run = new Command("run", "The whole benchmark: test servers, data sets, every contestant, checks, report.")
{
    quick, runs, budget, batchSize, dataSets, contestants, noMicro, noMemory, output,
};
run.SetAction((result, ct) =>
{
    static IReadOnlySet<string>? Set(string[]? values) => values is { Length: > 0 } ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal) : null;
    var isQuick = result.GetValue(quick);
    var options = new BenchOptions(
        isQuick,
        result.GetValue(runs) ?? (isQuick ? 3 : 5),
        result.GetValue(budget) ?? (isQuick ? 20 : 45),
        result.GetValue(batchSize),
        Set(result.GetValue(dataSets)),
        Set(result.GetValue(contestants)),
        !result.GetValue(noMicro),
        !result.GetValue(noMemory),
        Path.GetFullPath(result.GetValue(output)!));
    return new BenchRun(options).RunAsync(ct);
});

var micro = new Command("micro", "Only the transform micro-benchmarks, BenchmarkDotNet's own table on the console.") { quick };
micro.SetAction(result =>
{
    foreach (var m in Zenith.Bench.Micro.MicroRunner.Run(result.GetValue(quick)))
        Console.WriteLine($"{m.Shape}: {m.NanosecondsPerDoc:N0} ns/doc, {m.DocsPerSecondPerCore:N0} docs/s per core, {m.BytesAllocatedPerDoc:N1} B/doc");
    return 0;
});

var mongoUri = new Option<string>("--mongo") { Required = true };
var clickHouseUrl = new Option<string>("--clickhouse") { Required = true };
var collection = new Option<string>("--collection") { Required = true };
var database = new Option<string>("--database") { Required = true };
var table = new Option<string>("--table") { Required = true };
var child = new Command("zenith-child", "Internal: one Zenith run in this process for the memory probe; waits for stdin to close.")
{
    mongoUri, clickHouseUrl, collection, database, table, batchSize,
};
child.Hidden = true;
child.SetAction((result, ct) => MemoryProbe.ChildAsync(
    result.GetValue(mongoUri)!, result.GetValue(clickHouseUrl)!, result.GetValue(collection)!, result.GetValue(database)!, result.GetValue(table)!, result.GetValue(batchSize), ct));

var root = new RootCommand("Zenith benchmark: Zenith against what users would pick instead, MongoDB test server → ClickHouse test server.") { run, micro, child };
return await root.Parse(args).InvokeAsync();
