using System.Globalization;
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
/// <para>
/// Zenith may refuse a Null table: it turns on insert deduplication (<c>ALTER TABLE … MODIFY SETTING
/// non_replicated_deduplication_window</c>) in a table whose engine does not show the setting, and the Null engine takes no
/// settings. Then each run goes through a <c>Buffer</c> table in front of the Null table, with thresholds of one row, so every
/// insert passes straight through to the Null table; the cell and the description say so.
/// </para>
/// </summary>
internal sealed class ZenithNullContestant(ZenithContestant zenith, Destination destination) : IContestant
{
    // Zenith reads "deduplicates inserts" from the table's engine_full containing this setting's name, and a Buffer's engine_full
    // names its destination table: a Null table of this name keeps Zenith from sending the ALTER neither Buffer nor Null takes.
    private const string SinkSuffix = "_sink_non_replicated_deduplication_window";

    private readonly Dictionary<string, string> columnsByDataSet = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> commentsByDataSet = new(StringComparer.Ordinal);
    private string? refusal;

    public string Name => ReportWriter.ZenithNull;

    public string Key => "zenith_null";

    public string Description =>
        "Zenith's own ceiling: the Zenith service as above into a ClickHouse `ENGINE = Null` table (each insert parsed and discarded) with the columns Zenith creates "
        + "(copied from a table Zenith made from the warm-up collection); the table checks do not apply (nothing is kept): each run must report every document read and written"
        + (refusal is null
            ? ""
            : $". Zenith refused a Null table as its destination ({refusal}), so each run goes through a `Buffer` table (thresholds of one row: every insert goes straight on) in front of the Null table");

    public CpuProbe Cpu => zenith.Cpu;

    public bool WritesTable => false;

    public string? NotApplicable(DataSet dataSet) => dataSet.Incremental ? "Zenith's own ceiling is measured on first loads" : null;

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var (columns, comment) = await ColumnsAsync(target, ct).ConfigureAwait(false);
        ServiceRun run;
        if (refusal is null)
        {
            await CreateAsync(target, columns, comment, buffered: false, ct).ConfigureAwait(false);
            run = await zenith.LoadOnceAsync(target, ct).ConfigureAwait(false);
            if (run.Status != "succeeded" && run.Error?.Contains("not supported by storage Null", StringComparison.Ordinal) == true)
            {
                refusal = run.Error;
                await CreateAsync(target, columns, comment, buffered: true, ct).ConfigureAwait(false);
                run = await zenith.LoadOnceAsync(target, ct).ConfigureAwait(false);
            }
        }
        else
        {
            await CreateAsync(target, columns, comment, buffered: true, ct).ConfigureAwait(false);
            run = await zenith.LoadOnceAsync(target, ct).ConfigureAwait(false);
        }
        ZenithContestant.Ensure(run);
        if (run.RowsRead != run.RowsWritten)
            throw new InvalidOperationException($"the service read {run.RowsRead:N0} documents and wrote {run.RowsWritten:N0}");
        var note = "table check n/a: Null engine discards rows (each run: the service reported every document read and written)"
            + (refusal is null ? "" : "; through a Buffer table, Zenith refusing a Null one (see the contestant)");
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

    private async Task CreateAsync(RunTarget target, string columns, string comment, bool buffered, CancellationToken ct)
    {
        var sink = target.Table + SinkSuffix;
        await destination.DropTableAsync(target.Database, target.Table, ct).ConfigureAwait(false);
        await destination.DropTableAsync(target.Database, sink, ct).ConfigureAwait(false);
        var engine = "Null";
        if (buffered)
        {
            await destination.ExecuteAsync($"CREATE TABLE {Destination.Name(target.Database, sink)} ({columns}) ENGINE = Null", ct).ConfigureAwait(false);
            // Buffer(database, table, layers, min_time, max_time, min_rows, max_rows, min_bytes, max_bytes): an insert over a max
            // threshold is written to the destination at once, so nothing waits in the buffer.
            engine = string.Create(CultureInfo.InvariantCulture, $"Buffer({Destination.Literal(target.Database)}, {Destination.Literal(sink)}, 1, 0, 0, 1, 1, 1, 1)");
        }
        await destination.ExecuteAsync(
            $"CREATE TABLE {Destination.Name(target.Database, target.Table)} ({columns}) ENGINE = {engine} COMMENT {Destination.Literal(comment)}", ct).ConfigureAwait(false);
    }
}
