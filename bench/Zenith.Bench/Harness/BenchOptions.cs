namespace Zenith.Bench.Harness;

/// <summary>What one benchmark run does; the defaults are the full run of issue 7.</summary>
internal sealed record BenchOptions(
    bool Quick,
    int Runs,
    double CellBudgetSeconds,
    int ZenithBatchSize,
    IReadOnlySet<string>? DataSets,
    IReadOnlySet<string>? Contestants,
    bool Micro,
    bool Memory,
    string OutputDirectory)
{
    /// <summary>Documents per data set: the full sizes, or a twentieth for --quick.</summary>
    public int Size(int full) => Quick ? full / 20 : full;
}
