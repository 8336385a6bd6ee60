namespace Zenith.Bench.Harness;

/// <summary>What one benchmark run does; the defaults are the full run of issue 7.</summary>
/// <param name="CellBudgetSeconds">Measured-run seconds per data set for a contestant other than Zenith.</param>
/// <param name="ZenithBudgetSeconds">Measured-run seconds per data set for Zenith (always at least one full run).</param>
/// <param name="IndexOnly">Of the incremental scenario, only the data set whose collection has the index <c>{updated_at: 1, _id: 1}</c>.</param>
/// <param name="SourceRoundTripMs">When set, the contestants read MongoDB through a <see cref="LatencyProxy"/> adding this round trip (a remote source; 0: the proxy alone, its own cost).</param>
/// <param name="DeadlineSeconds">Past this much elapsed time every remaining cell gets one run (the others on the sample), so the whole run ends near it.</param>
internal sealed record BenchOptions(
    bool Quick,
    int Runs,
    double CellBudgetSeconds,
    double ZenithBudgetSeconds,
    double DeadlineSeconds,
    int ZenithBatchSize,
    IReadOnlySet<string>? DataSets,
    IReadOnlySet<string>? Contestants,
    bool Micro,
    bool Memory,
    bool IndexOnly,
    string OutputDirectory,
    double? SourceRoundTripMs = null)
{
    /// <summary>
    /// Whether <paramref name="dataSet"/> runs: every one by default, else those named by name or key; <c>incremental</c> names both
    /// incremental data sets (with and without the index), <see cref="IndexOnly"/> drops the one without.
    /// </summary>
    public bool Selects(DataSets.DataSet dataSet)
    {
        ArgumentNullException.ThrowIfNull(dataSet);
        if (dataSet.Incremental && IndexOnly && !dataSet.Indexed)
            return false;
        return DataSets is null || DataSets.Contains(dataSet.Name) || DataSets.Contains(dataSet.Key) || (dataSet.Incremental && DataSets.Contains("incremental"));
    }

    /// <summary>Documents per data set: the full sizes, or a twentieth for --quick.</summary>
    public int Size(int full) => Quick ? full / 20 : full;
}
