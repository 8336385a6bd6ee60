using System.Globalization;
using Zenith.Bench.Contestants;
using Zenith.Bench.DataSets;

namespace Zenith.Bench.Harness;

/// <summary>One cell: a contestant's warm-up and measured runs on one data set, each checked and each with its CPU time.</summary>
internal sealed partial class BenchRun
{
    /// <summary>
    /// Zenith into a Null table (Zenith's own ceiling) and the incremental scenario without the index are beside the figures the
    /// targets rest on: at most this many runs keep the whole run under 15 minutes.
    /// </summary>
    private const int SideRuns = 3;

    /// <summary>Whether <paramref name="contestant"/> takes part in <paramref name="dataSet"/>; if not, its cell says why.</summary>
    private bool Applies(DataSet dataSet, IContestant contestant)
    {
        if (contestant.NotApplicable(dataSet) is not { } why)
            return true;
        cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "n/a", [], null, null, why));
        return false;
    }

    /// <summary>
    /// A warm-up run, then up to <see cref="BenchOptions.Runs"/> measured runs within the contestant's time budget,
    /// each verified. A contestant other than Zenith whose warm-up (5% of the documents) shows that one full run would
    /// not fit its budget runs on that warm-up sample instead. <paramref name="prepare"/> comes before every run (warm-up
    /// included) and is neither timed nor in its CPU figures: a table dropped, or the incremental scenario's change made.
    /// </summary>
    private async Task<CellResult> MeasureAsync(DataSet dataSet, IContestant contestant, string table, Destination destination,
        Func<RunTarget, CancellationToken, Task> prepare, bool final, CancellationToken ct)
    {
        var seconds = new List<double>();
        var cpu = new List<RunCpu>();
        var isZenith = contestant.Name == ReportWriter.Zenith;
        // Zenith and the ceilings are the figures the targets and ratios rest on: they get the larger budget.
        var budget = isZenith || contestant is SourceCeiling or DestinationCeiling ? options.ZenithBudgetSeconds : options.CellBudgetSeconds;
        var late = clock.Elapsed.TotalSeconds > options.DeadlineSeconds;
        var runs = late ? 1 : contestant is ZenithNullContestant || (dataSet.Incremental && !dataSet.Indexed) ? Math.Min(SideRuns, options.Runs) : options.Runs;
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
            await prepare(warmUp, ct).ConfigureAwait(false);
            var warmUpSeconds = (await contestant.RunAsync(warmUp, ct).ConfigureAwait(false)).Seconds;
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
            if (isZenith && !dataSet.Incremental && collection == dataSet.Collection && !late)
            {
                // A fresh service process spends about a core on tier-1 JIT compilation through its first 10–15 s of work: after the
                // small warm-up the first full runs would measure that, not the long-running service users run. One more full run,
                // timed but not in the median, is the rest of the warm-up (the incremental scenario's first load plays this part there).
                var second = new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table + "_warmup", Incremental: false);
                await prepare(second, ct).ConfigureAwait(false);
                var (cold, coldCpu) = await Cpu.MeasureAsync(contestant.Cpu, () => contestant.RunAsync(second, ct)).ConfigureAwait(false);
                await destination.DropTableAsync(TargetDatabase, second.Table, ct).ConfigureAwait(false);
                Log($"{dataSet.Name} / {contestant.Name}: warm-up on the whole collection: {cold.Seconds:N3} s, CPU {coldCpu.Contestant:N2} s (JIT compilation included)");
                cellNotes.Add($"warm-up: the sample, then one full run of the fresh service ({cold.Seconds:N2} s, {coldCpu.Contestant / (dataSet.Documents / 1e6):N2} CPU-s / M docs with its JIT compilation), not in the median");
            }
            for (var i = 0; i < runs; i++)
            {
                var target = new RunTarget(dataSet, collection, TargetDatabase, table, Incremental: dataSet.Incremental);
                await prepare(target, ct).ConfigureAwait(false);
                var (outcome, used) = await Cpu.MeasureAsync(contestant.Cpu, () => contestant.RunAsync(target, ct)).ConfigureAwait(false);
                if (contestant.WritesTable && expected is not null && await destination.VerifyAsync(TargetDatabase, table, expected, final, ct).ConfigureAwait(false) is { } problem)
                    throw new InvalidOperationException($"run {i + 1}: the table does not match the source: {problem}");
                if (expected is null && await destination.ScalarTextAsync($"SELECT count() FROM {Destination.Name(TargetDatabase, table)}", ct).ConfigureAwait(false) is var count && count != documents.ToString(CultureInfo.InvariantCulture))
                    throw new InvalidOperationException($"run {i + 1}: the table has {count} rows, expected {documents:N0}");
                if (!contestant.WritesTable && outcome.Rows != documents)
                    throw new InvalidOperationException($"run {i + 1}: read {outcome.Rows:N0} documents, expected {documents:N0}");
                if (outcome.Note is { } note && !cellNotes.Contains(note))
                    cellNotes.Add(note);
                seconds.Add(outcome.Seconds);
                cpu.Add(used);
                Log($"{dataSet.Name} / {contestant.Name}: run {i + 1}: {outcome.Seconds:N3} s ({documents:N0} docs), CPU {used.Contestant:N2} s (MongoDB test server {used.MongoServer:N2} s, ClickHouse test server {used.ClickHouseServer:N2} s, harness {used.Harness:N2} s over {used.WindowSeconds:N2} s)");
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
            return new CellResult(dataSet.Name, contestant.Name, documents, "failed", [.. seconds], null, null, string.Join("; ", cellNotes.Append(ex.Message)), CellCpu.Of(contestant.Cpu.Whose, cpu));
        }
        var median = Statistics.Median(seconds);
        return new CellResult(dataSet.Name, contestant.Name, documents, "ok", [.. seconds], median, documents / median, cellNotes.Count == 0 ? null : string.Join("; ", cellNotes), CellCpu.Of(contestant.Cpu.Whose, cpu));
    }
}
