namespace Zenith.Bench.Harness;

/// <summary>One contestant on one data set.</summary>
/// <param name="Status">ok, failed (with <paramref name="Note"/> saying why), or n/a.</param>
/// <param name="Seconds">Every measured run (the warm-up is not among them).</param>
internal sealed record CellResult(
    string DataSet,
    string Contestant,
    long Documents,
    string Status,
    double[] Seconds,
    double? MedianSeconds,
    double? DocsPerSecond,
    string? Note);

internal sealed record DataSetInfo(string Name, string Title, long Documents, double AverageBsonBytes, double LoadSeconds, int Columns);

internal sealed record MicroResult(string Shape, double NanosecondsPerDoc, double DocsPerSecondPerCore, double BytesAllocatedPerDoc);

internal sealed record MemoryResult(string Run, long Documents, double Seconds, double PeakRssMiB, double IdleRssMiB, double IdleAfterSeconds, string? Note);

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
    ChangeStreamResult? ChangeStream = null);
