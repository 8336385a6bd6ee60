using System.Diagnostics;
using MongoDB.Driver;
using Zenith.Bench.DataSets;

namespace Zenith.Bench.Harness;

/// <summary>
/// Memory with several connectors at work (issue 15): four copies of the flat data set's warm-up collection, four connectors added
/// at once to a fresh service process (its default <c>processing.max_parallel_jobs</c> is 4, so all four run together), each
/// loading its own table. Reported: the process's peak RSS (VmHWM, so its start-up is in it, as for a user who restarts the
/// service) and its RSS 5 s after the last run; each table is checked against its collection like every other cell.
/// </summary>
internal static class FourConnectorsScenario
{
    public const int Connectors = 4;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    public static async Task<FourConnectorsResult> RunAsync(
        DataSet flat, IMongoDatabase source, string mongoUri, string clickHouseUrl, Destination destination, int batchSize, Action<string> log, CancellationToken ct)
    {
        var names = Enumerable.Range(1, Connectors).Select(i => $"{flat.Key}_four_{i}").ToList();
        foreach (var name in names)
        {
            await source.DropCollectionAsync(name, ct).ConfigureAwait(false);
            await flat.InsertWarmUpCopyAsync(source, name, ct).ConfigureAwait(false);
            await destination.DropTableAsync(BenchRun.TargetDatabase, name, ct).ConfigureAwait(false);
        }
        log($"four connectors: {Connectors} collections of {flat.WarmUpDocuments:N0} documents loaded; a fresh service process, the {Connectors} connectors added at once");

        string? check = null;
        double seconds, overlap, peak, idle;
        await using (var service = await ZenithService.StartAsync(ct).ConfigureAwait(false))
        {
            var clock = Stopwatch.StartNew();
            var ids = new List<long>();
            foreach (var name in names)
            {
                ids.Add(await service.AddAsync(new
                {
                    name = "bench_" + name,
                    source = new { uri = mongoUri, database = BenchRun.SourceDatabase, collection = name },
                    destination = new { uri = clickHouseUrl, database = BenchRun.TargetDatabase, table = name },
                    mode = "incremental_id",
                    intervalSeconds = 7 * 24 * 3600,
                    batchSize,
                }, ct).ConfigureAwait(false));
            }
            var runs = new List<ServiceRun>();
            foreach (var id in ids)
                runs.Add(await service.AwaitFirstRunAsync(id, ct).ConfigureAwait(false));
            seconds = clock.Elapsed.TotalSeconds;
            peak = service.PeakRssMiB;
            overlap = await OverlapAsync(service, ids, ct).ConfigureAwait(false);
            await Task.Delay(Idle, ct).ConfigureAwait(false);
            idle = service.RssMiB;

            for (var i = 0; i < Connectors; i++)
            {
                var problem = runs[i] is { Status: "succeeded", RowsFailed: 0 }
                    ? await destination.VerifyAsync(BenchRun.TargetDatabase, names[i], flat.WarmUpExpected, final: false, ct).ConfigureAwait(false)
                    : $"the run {runs[i].Status}: {runs[i].Error}";
                if (problem is not null)
                    check = (check is null ? "" : check + "; ") + $"{names[i]}: {problem}";
            }
        }
        foreach (var name in names)
        {
            await destination.DropTableAsync(BenchRun.TargetDatabase, name, ct).ConfigureAwait(false);
            await source.DropCollectionAsync(name, ct).ConfigureAwait(false);
        }
        return new FourConnectorsResult(Connectors, flat.WarmUpDocuments, seconds, overlap, peak, idle, Idle.TotalSeconds, check);
    }

    /// <summary>How long the runs all ran at once: the latest start to the earliest finish, as the service recorded them (0 if they did not overlap).</summary>
    private static async Task<double> OverlapAsync(ZenithService service, List<long> ids, CancellationToken ct)
    {
        var starts = new List<DateTimeOffset>();
        var ends = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            var last = (await service.GetAsync(id, ct).ConfigureAwait(false)).GetProperty("lastResult");
            starts.Add(last.GetProperty("startedAt").GetDateTimeOffset());
            ends.Add(last.GetProperty("finishedAt").GetDateTimeOffset());
        }
        return Math.Max(0, (ends.Min() - starts.Max()).TotalSeconds);
    }
}
