using System.Globalization;
using MongoDB.Driver;
using Zenith.Bench.Contestants;
using Zenith.Bench.DataSets;

namespace Zenith.Bench.Harness;

/// <summary>
/// The incremental scenario: each contestant's table first brought to the source's state (not measured), then measured rounds of
/// "1% changed, sync again", then rounds that find nothing.
/// </summary>
internal sealed partial class BenchRun
{
    /// <summary>Zenith's runs that find nothing (a target of issue 15: the median of these); the others', only for comparison, get one (time budget).</summary>
    private const int NothingFoundRuns = 3;

    private async Task RunIncrementalAsync(DataSet dataSet, List<IContestant> contestants, IMongoDatabase source, Destination destination, CancellationToken ct)
    {
        string? seedTable = null;
        var tables = new List<string>();
        foreach (var contestant in contestants)
        {
            if (!Applies(dataSet, contestant))
                continue;
            var table = $"{dataSet.Key}_{contestant.Key}";
            tables.Add(table);
            string initial;
            try
            {
                // The first load is not measured: it only brings the table to the source's current state.
                await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                initial = seedTable is null
                    ? await FirstLoadAsync(dataSet, contestant, table, dataSet.Collection, ct).ConfigureAwait(false)
                    : await SeedFromAsync(dataSet, contestant, table, seedTable, destination, ct).ConfigureAwait(false);
                if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } problem)
                {
                    if (seedTable is null)
                        throw new InvalidOperationException("after the first load: " + problem);
                    await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
                    initial = await FirstLoadAsync(dataSet, contestant, table, dataSet.Collection, ct).ConfigureAwait(false) + $" (the copy did not match: {problem})";
                    if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } again)
                        throw new InvalidOperationException("after the first load: " + again);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                cells.Add(new CellResult(dataSet.Name, contestant.Name, dataSet.Documents, "failed", [], null, null, ex.Message));
                Log($"{dataSet.Name} / {contestant.Name}: FAILED {ex.Message}");
                continue;
            }
            var cell = await MeasureAsync(dataSet, contestant, table, destination, async (_, token) =>
            {
                var changed = await dataSet.BumpAsync(source, token).ConfigureAwait(false);
                if (changed != dataSet.Documents / 100)
                    throw new InvalidOperationException($"updateMany changed {changed:N0} documents, expected {dataSet.Documents / 100:N0}");
            }, final: true, ct).ConfigureAwait(false);
            if (cell.Status == "ok")
            {
                var nothing = await NothingFoundAsync(dataSet, contestant, table, destination, ct).ConfigureAwait(false);
                cell = cell with { NothingFound = nothing };
                initial = Join(initial, $"a run that finds nothing: median {nothing.MedianSeconds * 1000:N0} ms, {nothing.MedianCpuSeconds * 1000:N0} ms of CPU, of {nothing.Seconds.Length}")!;
            }
            cells.Add(cell with { Note = Join(cell.Note, initial) });
            // The next contestant starts from a copy of this table: it matched the source after this cell's last run.
            if (cell.Status == "ok" && contestant.WritesTable)
                seedTable = table;
        }
        foreach (var table in tables)
            await destination.DropTableAsync(TargetDatabase, table, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The run a schedule makes most often: nothing changed since the last one (rounds after the last measured one, with no
    /// change between them: 3 for Zenith, 1 for the others), each with its CPU time; the table is checked again after them (a run that finds nothing writes nothing).
    /// </summary>
    private async Task<NothingFoundResult> NothingFoundAsync(DataSet dataSet, IContestant contestant, string table, Destination destination, CancellationToken ct)
    {
        var seconds = new List<double>();
        var cpu = new List<double>();
        var rounds = contestant.Name == ReportWriter.Zenith ? NothingFoundRuns : 1;
        for (var i = 0; i < rounds; i++)
        {
            var (outcome, used) = await Cpu.MeasureAsync(contestant.Cpu, () => contestant.RunAsync(new RunTarget(dataSet, dataSet.Collection, TargetDatabase, table, Incremental: true), ct)).ConfigureAwait(false);
            seconds.Add(outcome.Seconds);
            cpu.Add(used.Contestant);
        }
        if (await destination.VerifyAsync(TargetDatabase, table, dataSet.Expected, final: true, ct).ConfigureAwait(false) is { } problem)
            throw new InvalidOperationException($"after the runs that found nothing, the table does not match the source: {problem}");
        Log($"{dataSet.Name} / {contestant.Name}: nothing found: {string.Join(", ", seconds.Select(s => s.ToString("N3", CultureInfo.InvariantCulture)))} s, CPU {string.Join(", ", cpu.Select(s => s.ToString("N3", CultureInfo.InvariantCulture)))} s");
        return new NothingFoundResult([.. seconds], [.. cpu]);
    }

    private static async Task<string> FirstLoadAsync(DataSet dataSet, IContestant contestant, string table, string collection, CancellationToken ct)
    {
        var outcome = await contestant.RunAsync(new RunTarget(dataSet, collection, TargetDatabase, table, Incremental: false), ct).ConfigureAwait(false);
        return $"first load {outcome.Seconds:N1} s";
    }

    /// <summary>
    /// Brings a contestant's table to the source's state without its own first load (which is not measured,
    /// only slow): the contestant creates its table from an empty collection, then the rows of the previous
    /// contestant's table (checked against the source after its last run) are copied in (flat shape: the same
    /// column names). The caller checks the result like any first load and falls back to a real first load.
    /// </summary>
    private static async Task<string> SeedFromAsync(DataSet dataSet, IContestant contestant, string table, string seedTable, Destination destination, CancellationToken ct)
    {
        await contestant.RunAsync(new RunTarget(dataSet, dataSet.Collection + "_empty", TargetDatabase, table, Incremental: false), ct).ConfigureAwait(false);
        var columns = string.Join(", ", dataSet.FlatSchema.Columns().Select(c => Destination.Quote(c.Name)));
        await destination.ExecuteAsync($"INSERT INTO {Destination.Name(TargetDatabase, table)} ({columns}) SELECT {columns} FROM {Destination.Name(TargetDatabase, seedTable)} FINAL", ct).ConfigureAwait(false);
        return "first load: the previous contestant's rows copied in";
    }
}
