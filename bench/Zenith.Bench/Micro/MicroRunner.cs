using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Micro;

/// <summary>Runs <see cref="TransformBenchmarks"/> in this process (no generated project to build) and reads back per-document figures.</summary>
internal static class MicroRunner
{
    public static IReadOnlyList<MicroResult> Run(bool quick)
    {
        var job = (quick ? Job.ShortRun.WithWarmupCount(2).WithIterationCount(3) : Job.ShortRun.WithWarmupCount(3).WithIterationCount(8))
            .WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "zenith-bench-bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<TransformBenchmarks>(config);
        var results = new List<MicroResult>();
        foreach (var report in summary.Reports)
        {
            if (report.ResultStatistics is null)
                continue;
            var shape = (string)report.BenchmarkCase.Parameters["Shape"];
            var ns = report.ResultStatistics.Median;
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            results.Add(new MicroResult(shape, ns, 1e9 / ns, bytes));
        }
        if (results.Count == 0)
            throw new InvalidOperationException("BenchmarkDotNet produced no result: " + string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
        return results;
    }
}
