using System.Diagnostics;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>
/// ClickHouse's <c>mongodb()</c> table function, run by the ClickHouse test server's own engine (chDB):
/// <c>INSERT INTO t SELECT * FROM mongodb(uri, collection, structure)</c>. It cannot flatten, so the
/// table has the top-level fields, subdocuments as JSON text (less work than Zenith does).
/// </summary>
internal sealed class MongoTableFunctionContestant(string mongoUri, Destination destination, int clickHouseServerPid) : IContestant
{
    public string Name => "chdb-mongodb()";

    public string Key => "chdb_mongodb";

    // mongodb() runs inside the ClickHouse test server: the work is that process's (reading MongoDB, converting, inserting).
    public CpuProbe Cpu => new("the ClickHouse test server process, whose chDB engine runs mongodb() and does all the work", () => ProcCpu.ProcessTicks(clickHouseServerPid));

    public string Description => "ClickHouse `INSERT … SELECT * FROM mongodb(uri, collection, structure)` executed by the chDB engine of the ClickHouse test server; top-level columns, subdocuments as JSON text; incremental runs filter `updated_at` in ClickHouse (`mongodb_throw_on_unsupported_query = 0`: it cannot push a DateTime64 condition down to MongoDB); `SETTINGS max_block_size` above the collection's size, since it returns the last document of every full block twice";

    public bool WritesTable => true;

    // It filters updated_at in ClickHouse after reading the whole collection (no push-down), so an index changes nothing for it:
    // measured once, with the index.
    public string? NotApplicable(DataSet dataSet) => dataSet.Incremental && !dataSet.Indexed
        ? "mongodb() reads the whole collection with or without the index (the condition is filtered in ClickHouse); see the row with the index"
        : null;

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        var columns = target.DataSet.TopLevelSchema.Columns();
        var table = Destination.Name(target.Database, target.Table);
        var started = Stopwatch.GetTimestamp();
        var where = "";
        // mongodb() returns the last document of every full block twice (it re-reads the document it stopped on at
        // max_block_size): one block larger than the collection reads each document once.
        var settings = $" SETTINGS max_block_size = {Math.Max(target.DataSet.Documents, target.DataSet.WarmUpDocuments) + 1}";
        if (target.Incremental)
        {
            var max = await destination.ScalarTextAsync($"SELECT toUnixTimestamp64Milli(max(updated_at)) FROM {table}", ct).ConfigureAwait(false);
            // mongodb() cannot push a DateTime64 comparison down to MongoDB (NOT_IMPLEMENTED, "Fields with type
            // 'DateTime64(3, 'UTC')' is not supported"); with this setting it reads the collection and filters itself.
            where = $" WHERE toUnixTimestamp64Milli(updated_at) > {long.Parse(max, System.Globalization.CultureInfo.InvariantCulture)}";
            settings += ", mongodb_throw_on_unsupported_query = 0";
        }
        else
        {
            await destination.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {Destination.Quote(target.Database)}", ct).ConfigureAwait(false);
            await destination.ExecuteAsync(
                $"CREATE TABLE IF NOT EXISTS {table} ({string.Join(", ", columns.Select(c => $"{Destination.Quote(c.Name)} {c.Type}"))}) ENGINE = ReplacingMergeTree(updated_at) ORDER BY _id",
                ct).ConfigureAwait(false);
        }
        var structure = string.Join(", ", columns.Select(c => $"{Destination.Quote(c.Name)} {c.Type}"));
        var uri = mongoUri.TrimEnd('/') + "/" + BenchRun.SourceDatabase;
        await destination.ExecuteAsync(
            $"INSERT INTO {table} SELECT * FROM mongodb({Destination.Literal(uri)}, {Destination.Literal(target.Collection)}, {Destination.Literal(structure)}){where}{settings}",
            ct).ConfigureAwait(false);
        return new RunOutcome(Stopwatch.GetElapsedTime(started).TotalSeconds, -1);
    }
}
