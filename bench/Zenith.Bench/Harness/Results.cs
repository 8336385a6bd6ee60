namespace Zenith.Bench.Harness;

/// <summary>One contestant on one data set.</summary>
/// <param name="Status">ok, failed (with <paramref name="Note"/> saying why), or n/a.</param>
/// <param name="Seconds">Every measured run (the warm-up is not among them).</param>
/// <param name="Cpu">What the measured runs cost in CPU time, the contestant's and that of the processes beside it.</param>
/// <param name="NothingFound">The incremental scenario: the runs after the last change, which find nothing.</param>
internal sealed record CellResult(
    string DataSet,
    string Contestant,
    long Documents,
    string Status,
    double[] Seconds,
    double? MedianSeconds,
    double? DocsPerSecond,
    string? Note,
    CellCpu? Cpu = null,
    NothingFoundResult? NothingFound = null)
{
    /// <summary>The contestant's CPU seconds per million documents, median over the measured runs.</summary>
    public double? CpuSecondsPerMillionDocs => Cpu?.Median is { } m && Documents > 0 ? m.Contestant / Documents * 1e6 : null;
}

/// <summary>CPU seconds (user + system) of a cell's measured runs, each a delta over its run only.</summary>
/// <param name="Whose">The contestant's processes the <see cref="RunCpu.Contestant"/> figures are of.</param>
/// <param name="Median">The median of each figure over <paramref name="Runs"/> (null when there were none).</param>
internal sealed record CellCpu(string Whose, RunCpu[] Runs, RunCpu? Median)
{
    public static CellCpu Of(string whose, IReadOnlyList<RunCpu> runs) => new(
        whose,
        [.. runs],
        runs.Count == 0 ? null : new RunCpu(
            Statistics.Median(runs.Select(r => r.WindowSeconds)),
            Statistics.Median(runs.Select(r => r.Contestant)),
            Statistics.Median(runs.Select(r => r.MongoServer)),
            Statistics.Median(runs.Select(r => r.ClickHouseServer)),
            Statistics.Median(runs.Select(r => r.Harness))));
}

/// <summary>Runs of the incremental scenario after the last change (nothing to copy): their time as the contestant reports it and its CPU seconds.</summary>
internal sealed record NothingFoundResult(double[] Seconds, double[] CpuSeconds)
{
    public double MedianSeconds => Statistics.Median(Seconds);

    public double MedianCpuSeconds => Statistics.Median(CpuSeconds);
}

internal static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
            throw new InvalidOperationException("the median of nothing");
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

internal sealed record DataSetInfo(string Name, string Title, long Documents, double AverageBsonBytes, double LoadSeconds, int Columns);

internal sealed record MicroResult(string Shape, double NanosecondsPerDoc, double DocsPerSecondPerCore, double BytesAllocatedPerDoc);

internal sealed record MemoryResult(string Run, long Documents, double Seconds, double PeakRssMiB, double IdleRssMiB, double IdleAfterSeconds, string? Note);

/// <summary>Four connectors loading four collections at once in a fresh service process: its peak and idle RSS.</summary>
/// <param name="DocumentsEach">Documents in each collection (copies of the flat data set's warm-up collection).</param>
/// <param name="Seconds">From the first connector added to the last run finished.</param>
/// <param name="OverlapSeconds">How long all four runs ran at the same time (the latest start to the earliest finish, as the service records them).</param>
/// <param name="Check">Null when every table held exactly its collection; else what differed or failed.</param>
internal sealed record FourConnectorsResult(int Connectors, long DocumentsEach, double Seconds, double OverlapSeconds, double PeakRssMiB, double IdleRssMiB, double IdleAfterSeconds, string? Check);

/// <summary>
/// One verification of the table Zenith's largest flat run wrote (issue 18): its speed, and the service's memory while it ran.
/// <paramref name="IdPhaseSeconds"/> is the time of the id comparison alone (its phase <c>ids</c>, timed by the polls), without the
/// value sample that follows it.
/// </summary>
internal sealed record VerificationBench(long Documents, long IdsCompared, long Sampled, double Seconds, double IdsPerSecond, double? IdPhaseSeconds, double MongoReadsPerSecond, double RssBeforeMiB, double PeakRssMiB, bool Clean, string? Note)
{
    public double? IdPhaseIdsPerSecond => IdPhaseSeconds is > 0 and var t ? IdsCompared / t : null;
}

internal sealed record TargetResult(string Target, string Goal, string Measured, string Verdict);

internal sealed record ContestantInfo(string Name, string Description);

internal sealed record BenchReport(
    DateTimeOffset Started,
    double TotalSeconds,
    string Mode,
    MachineInfo Machine,
    IReadOnlyList<ContestantInfo> Contestants,
    IReadOnlyList<DataSetInfo> DataSets,
    IReadOnlyList<CellResult> Cells,
    IReadOnlyList<MicroResult> Micro,
    MemoryResult? Memory,
    VerificationBench? Verification,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<string> Notes,
    ChangeStreamResult? ChangeStream = null,
    FourConnectorsResult? FourConnectors = null);
