using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>
/// Zenith end to end as users run it: the service binary in its own process (<see cref="ZenithService"/>), a
/// connector added through its API for each first load (a new connector has no checkpoint and runs at once),
/// <c>POST /api/connectors/{id}/sync</c> for the incremental rounds. First loads use <c>incremental_id</c>, the
/// incremental scenario <c>incremental_timestamp</c> on <c>updated_at</c>. A fresh service process per data set,
/// so its peak RSS is that data set's.
/// </summary>
internal sealed class ZenithContestant(string mongoUri, string clickHouseUrl, int batchSize) : IContestant
{
    /// <summary>The API's longest interval: the scheduler never starts a second run on its own during the benchmark.</summary>
    private const int IntervalSeconds = 7 * 24 * 3600;

    private readonly Dictionary<string, long> incrementalConnectors = new(StringComparer.Ordinal);
    private ZenithService? service;

    // Per data set, the connector of its largest first load (a full run, not the warm-up sample): kept, the others deleted, so its
    // table can be verified.
    private readonly Dictionary<string, (long Id, long Rows)> largestFirstLoads = new(StringComparer.Ordinal);

    // The service refuses a second connector on a table one already writes: a kept connector goes before the next run into its table.
    private readonly Dictionary<string, long> tableWriters = new(StringComparer.Ordinal);
    private int connectors;

    public string Name => ReportWriter.Zenith;

    public string Key => "zenith";

    public CpuProbe Cpu => new("the Zenith service process", () => ProcCpu.ProcessTicks(Service.ProcessId));

    public string Description => $"Zenith: the service (`zenith serve`, its own process and runtime settings, SQLite metadata) driven through its HTTP API; each first load is a new connector (it runs at once), the incremental rounds `POST /api/connectors/{{id}}/sync`; batch size {batchSize:N0}; first loads in incremental_id mode, the incremental scenario in incremental_timestamp mode on `updated_at`; time = the run's `durationMs` as the service records it (connect → last batch acknowledged)";

    public bool WritesTable => true;

    public ZenithService Service => service ?? throw new InvalidOperationException("the Zenith service is not started");

    public string? NotApplicable(DataSet dataSet) => null;

    /// <summary>A fresh service process (the previous one stops), so each data set's memory figures are its own.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync().ConfigureAwait(false);
        incrementalConnectors.Clear();
        largestFirstLoads.Clear();
        tableWriters.Clear();
        service = await ZenithService.StartAsync(ct).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        if (service is not null)
            await service.DisposeAsync().ConfigureAwait(false);
        service = null;
    }

    /// <summary>The connector of the data set's largest first load so far (its table holds the whole data set once a full run succeeded).</summary>
    public long? LargestFirstLoad(string dataSet) => largestFirstLoads.TryGetValue(dataSet, out var kept) ? kept.Id : null;

    private async Task KeepLargestAsync(ZenithService service, string dataSet, long id, long rows, CancellationToken ct)
    {
        if (largestFirstLoads.TryGetValue(dataSet, out var kept))
        {
            var drop = kept.Rows > rows ? id : kept.Id;
            await service.DeleteAsync(drop, ct).ConfigureAwait(false);
            foreach (var table in tableWriters.Where(w => w.Value == drop).Select(w => w.Key).ToList())
                tableWriters.Remove(table);
            if (drop == id)
                return;
        }
        largestFirstLoads[dataSet] = (id, rows);
    }

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        ServiceRun run;
        if (target.Incremental)
        {
            run = await Service.SyncAsync(incrementalConnectors[target.Table], ct).ConfigureAwait(false);
        }
        else
        {
            (var id, run) = await AddRunAsync(target, ct).ConfigureAwait(false);
            if (target.DataSet.Incremental)
                incrementalConnectors[target.Table] = id;
            else
                await KeepLargestAsync(Service, target.DataSet.Name, id, run.RowsWritten, ct).ConfigureAwait(false);
        }
        Ensure(run);
        return new RunOutcome((run.DurationMs ?? 0) / 1000.0, run.RowsWritten);
    }

    /// <summary>
    /// A first load of <paramref name="target"/> by a connector of its own, kept only as the table's writer (the next run into
    /// the table deletes it); nothing else is recorded about it. For Zenith into a table the harness made (<see cref="ZenithNullContestant"/>).
    /// </summary>
    public async Task<ServiceRun> LoadOnceAsync(RunTarget target, CancellationToken ct)
    {
        var (_, run) = await AddRunAsync(target, ct).ConfigureAwait(false);
        return run;
    }

    /// <summary>Throws unless the run succeeded with every document written.</summary>
    public static void Ensure(ServiceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status != "succeeded")
            throw new InvalidOperationException($"Zenith run {run.Status}: {run.Error}");
        if (run.RowsFailed > 0)
            throw new InvalidOperationException($"Zenith failed {run.RowsFailed:N0} documents");
    }

    /// <summary>A new connector into <paramref name="target"/>'s table (the one that wrote it before deleted), and its first run.</summary>
    private async Task<(long Id, ServiceRun Run)> AddRunAsync(RunTarget target, CancellationToken ct)
    {
        var service = Service;
        if (tableWriters.Remove(target.Table, out var writer))
        {
            await service.DeleteAsync(writer, ct).ConfigureAwait(false);
            foreach (var (dataSet, kept) in largestFirstLoads.Where(k => k.Value.Id == writer).ToList())
                largestFirstLoads.Remove(dataSet);
        }
        var connector = new
        {
            name = $"bench_{target.Table}_{++connectors}",
            source = new { uri = mongoUri, database = BenchRun.SourceDatabase, collection = target.Collection },
            destination = new { uri = clickHouseUrl, database = target.Database, table = target.Table },
            mode = target.DataSet.Incremental ? "incremental_timestamp" : "incremental_id",
            cursorField = "updated_at",
            intervalSeconds = IntervalSeconds,
            batchSize,
        };
        var (id, run) = await service.AddAndAwaitFirstRunAsync(connector, ct).ConfigureAwait(false);
        tableWriters[target.Table] = id;
        return (id, run);
    }
}
