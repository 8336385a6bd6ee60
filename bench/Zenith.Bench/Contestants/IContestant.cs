using Zenith.Bench.DataSets;

namespace Zenith.Bench.Contestants;

/// <summary>Where a run reads from and writes to.</summary>
/// <param name="Collection">The source collection (the data set's, or its warm-up collection).</param>
/// <param name="Incremental">True for the rounds of the incremental scenario (the table already holds the previous state).</param>
internal sealed record RunTarget(DataSet DataSet, string Collection, string Database, string Table, bool Incremental);

/// <summary>What one timed run reported.</summary>
/// <param name="Seconds">End-to-end time of the run as the contestant measured it (connect → last insert acknowledged).</param>
/// <param name="Rows">Rows the contestant says it moved (documents read for the source ceiling).</param>
/// <param name="Note">What the cell should say about this run's check, if anything (e.g. that its table keeps no rows to check).</param>
internal sealed record RunOutcome(double Seconds, long Rows, string? Note = null);

/// <summary>One way to get the documents from the MongoDB test server into the ClickHouse test server.</summary>
internal interface IContestant
{
    string Name { get; }

    /// <summary>A short name for <c>--contestants</c> and the contestant's table names.</summary>
    string Key { get; }

    string Description { get; }

    /// <summary>Whose CPU time a run costs: the contestant's own processes (read before and after each measured run).</summary>
    Harness.CpuProbe Cpu { get; }

    /// <summary>False for the source ceiling and Zenith into a Null table, whose tables keep no rows: their runs are checked by the rows they report.</summary>
    bool WritesTable { get; }

    /// <summary>Null when the contestant takes part in this data set, else why not.</summary>
    string? NotApplicable(DataSet dataSet);

    Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct);
}
