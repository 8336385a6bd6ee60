using System.Text;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>
/// Zenith's own ceiling: the same service and connector as <see cref="ZenithContestant"/>, into a table of ClickHouse's <c>Null</c>
/// engine (each insert is parsed and discarded), so the destination costs as little as it can. The table has the columns Zenith
/// would create: once per data set, Zenith loads the warm-up collection into a real table, whose columns (with the comments
/// Zenith reads its mapping from) and table comment are copied into each run's <c>ENGINE = Null</c> table; a connector of its own
/// then loads it. Columns the run's documents bring are added by Zenith's own <c>ALTER TABLE</c>, as in a real run.
/// </summary>
internal sealed class ZenithNullContestant(ZenithContestant zenith, Destination destination) : IContestant
{
    private readonly Dictionary<string, string> columnsByDataSet = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> commentsByDataSet = new(StringComparer.Ordinal);

    public string Name => ReportWriter.ZenithNull;

    public string Key => "zenith_null";

    public string Description =>
        "Zenith's own ceiling: the Zenith service as above into a ClickHouse `ENGINE = Null` table (each insert parsed and discarded) with the columns Zenith creates "
        + "(copied from a table Zenith made from the warm-up collection); the table checks do not apply (nothing is kept): each run must report every document read and written";

    public CpuProbe Cpu => zenith.Cpu;

    public bool WritesTable => false;

    public string? NotApplicable(DataSet dataSet) => dataSet.Incremental ? "Zenith's own ceiling is measured on first loads" : null;

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var (columns, comment) = await ColumnsAsync(target, ct).ConfigureAwait(false);
        await CreateAsync(target, columns, comment, ct).ConfigureAwait(false);
        var run = await zenith.LoadOnceAsync(target, ct).ConfigureAwait(false);
        ZenithContestant.Ensure(run);
        if (run.RowsRead != run.RowsWritten)
            throw new InvalidOperationException($"the service read {run.RowsRead:N0} documents and wrote {run.RowsWritten:N0}");
        const string note = "table check n/a: Null engine discards rows (each run: the service reported every document read and written)";
        return new RunOutcome((run.DurationMs ?? 0) / 1000.0, run.RowsWritten, note);
    }

    /// <summary>The column definitions and table comment of a table Zenith made from the data set's warm-up collection (made once per data set).</summary>
    private async Task<(string Columns, string Comment)> ColumnsAsync(RunTarget target, CancellationToken ct)
    {
        var key = target.DataSet.Key;
        if (columnsByDataSet.TryGetValue(key, out var known))
            return (known, commentsByDataSet[key]);
        var model = target with { Collection = target.DataSet.WarmUpCollection, Table = target.Table + "_model" };
        await destination.DropTableAsync(model.Database, model.Table, ct).ConfigureAwait(false);
        ZenithContestant.Ensure(await zenith.LoadOnceAsync(model, ct).ConfigureAwait(false));
        var definitions = new StringBuilder();
        using (var reader = await destination.Client.ExecuteReaderAsync(
            $"SELECT name, type, comment FROM system.columns WHERE database = {Destination.Literal(model.Database)} AND table = {Destination.Literal(model.Table)} ORDER BY position", null, null, ct).ConfigureAwait(false))
        {
            while (reader.Read())
            {
                if (definitions.Length > 0)
                    definitions.Append(", ");
                definitions.Append(Destination.Quote(reader.GetString(0))).Append(' ').Append(reader.GetString(1));
                if (reader.GetString(2) is { Length: > 0 } columnComment)
                    definitions.Append(" COMMENT ").Append(Destination.Literal(columnComment));
            }
        }
        var comment = await destination.ScalarTextAsync(
            $"SELECT comment FROM system.tables WHERE database = {Destination.Literal(model.Database)} AND name = {Destination.Literal(model.Table)}", ct).ConfigureAwait(false);
        await destination.DropTableAsync(model.Database, model.Table, ct).ConfigureAwait(false);
        columnsByDataSet[key] = definitions.ToString();
        commentsByDataSet[key] = comment;
        return (columnsByDataSet[key], comment);
    }

    private async Task CreateAsync(RunTarget target, string columns, string comment, CancellationToken ct)
    {
        await destination.DropTableAsync(target.Database, target.Table, ct).ConfigureAwait(false);
        await destination.ExecuteAsync(
            $"CREATE TABLE {Destination.Name(target.Database, target.Table)} ({columns}) ENGINE = Null COMMENT {Destination.Literal(comment)}", ct).ConfigureAwait(false);
    }
}
