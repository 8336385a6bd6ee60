using System.CommandLine;
using Zenith.Bench.Harness;

var quick = new Option<bool>("--quick") { Description = "A twentieth of the documents, 3 measured runs, shorter micro-benchmarks (for development)." };
var runs = new Option<int?>("--runs") { Description = "Measured runs per contestant and data set after the warm-up (default 5, 3 with --quick)." };
var budget = new Option<double?>("--cell-budget") { Description = "Seconds of measured runs a contestant other than Zenith and the ceilings may take on one data set: fewer runs beyond it, and when the warm-up shows one full run would not fit, the runs are on the warm-up sample (default 20, 10 with --quick)." };
var zenithBudget = new Option<double?>("--zenith-budget") { Description = "Seconds of measured runs Zenith and the two ceilings may take on one data set (always at least one full run; default 50, 30 with --quick)." };
var deadline = new Option<double?>("--deadline") { Description = "Minutes after which every remaining cell gets a single run so the whole benchmark ends near it (default 11, 6 with --quick)." };
var batchSize = new Option<int>("--batch-size") { Description = "The Zenith connectors' batch size (documents per batch).", DefaultValueFactory = _ => 10_000 };
var dataSets = new Option<string[]>("--datasets") { Description = "Only these data sets: flat, nested, wide, messy, incremental (both: incremental_index and incremental_noindex, or name one), changestream (the live scenario: a change_stream connector under 5,000 mixed changes/s).", AllowMultipleArgumentsPerToken = true };
var contestants = new Option<string[]>("--contestants") { Description = "Only these contestants (names, slugs or keys: zenith, zenith_null, node_script, chdb_mongodb, ceiling_read, ceiling_insert).", AllowMultipleArgumentsPerToken = true };
var noMicro = new Option<bool>("--no-micro") { Description = "Skip the BenchmarkDotNet micro-benchmarks." };
var noMemory = new Option<bool>("--no-memory") { Description = "Skip the 5 s idle wait of the memory measurement after Zenith's flat runs, and the four-connector memory measurement after them." };
var index = new Option<bool>("--index") { Description = "Of the incremental scenario, only the data set whose collection has the index incremental_timestamp reads by, {updated_at: 1, _id: 1} (both run by default)." };
var sourceRtt = new Option<double?>("--source-rtt-ms") { Description = "The contestants read MongoDB through a latency proxy adding this round trip in milliseconds (a remote source: this kernel has no netem); 0 measures the proxy's own cost. Loading and checks go direct." };
var output = new Option<string>("--output") { Description = "Where latest.json and latest.md go.", DefaultValueFactory = _ => Path.Combine(RepoPaths.Root, "bench", "results") };

var run = new Command("run", "The whole benchmark: test servers, data sets, every contestant, checks, report.")
{
    quick, runs, budget, zenithBudget, deadline, batchSize, dataSets, contestants, noMicro, noMemory, index, sourceRtt, output,
};
run.SetAction((result, ct) =>
{
    static IReadOnlySet<string>? Set(string[]? values) => values is { Length: > 0 } ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal) : null;
    var isQuick = result.GetValue(quick);
    var options = new BenchOptions(
        isQuick,
        result.GetValue(runs) ?? (isQuick ? 3 : 5),
        result.GetValue(budget) ?? (isQuick ? 10 : 20),
        result.GetValue(zenithBudget) ?? (isQuick ? 30 : 50),
        (result.GetValue(deadline) ?? (isQuick ? 6 : 11)) * 60,
        result.GetValue(batchSize),
        Set(result.GetValue(dataSets)),
        Set(result.GetValue(contestants)),
        !result.GetValue(noMicro),
        !result.GetValue(noMemory),
        result.GetValue(index),
        Path.GetFullPath(result.GetValue(output)!),
        result.GetValue(sourceRtt));
    return new BenchRun(options).RunAsync(ct);
});

var micro = new Command("micro", "Only the transform micro-benchmarks, BenchmarkDotNet's own table on the console.") { quick };
micro.SetAction(result =>
{
    foreach (var m in Zenith.Bench.Micro.MicroRunner.Run(result.GetValue(quick)))
        Console.WriteLine($"{m.Shape}: {m.NanosecondsPerDoc:N0} ns/doc, {m.DocsPerSecondPerCore:N0} docs/s per core, {m.BytesAllocatedPerDoc:N1} B/doc");
    return 0;
});

var root = new RootCommand("Zenith benchmark: Zenith against what users would pick instead, MongoDB test server → ClickHouse test server.") { run, micro };
return await root.Parse(args).InvokeAsync();
