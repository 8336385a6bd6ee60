using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Zenith.Bench.Harness;

/// <summary>What the change-stream scenario measured.</summary>
/// <param name="TargetChangesPerSecond">What the writers aimed at; <paramref name="WrittenPerSecond"/> what MongoDB took.</param>
/// <param name="LatencyP50Seconds">Write-to-visible: from a write's acknowledgement by MongoDB to its row being in ClickHouse.</param>
/// <param name="EventsPerSecond">Rows the stream wrote per second over the measured window (events applied).</param>
internal sealed record ChangeStreamResult(
    long InitialDocuments,
    double Seconds,
    double TargetChangesPerSecond,
    double WrittenPerSecond,
    double EventsPerSecond,
    int LatencySamples,
    double? LatencyP50Seconds,
    double? LatencyP99Seconds,
    double? LatencyMaxSeconds,
    double PeakRssMiB,
    double AverageRssMiB,
    string LoadAverageDuring,
    string? Check);

/// <summary>
/// change_stream under load (issue 12): a collection of flat documents is loaded, a change_stream connector added to a fresh
/// service process and left to catch up; then writers make mixed changes (45% inserts, 35% updates, 20% deletes) at a fixed
/// rate for the measured window, each insert and update stamping the document with a sequence number and its write time. A
/// poller reads the rows ClickHouse has that are newer than the last it saw (no FINAL: a row is visible once inserted), so each
/// change's write-to-visible latency is measured. At the end the writers stop and the current-rows view is checked against the
/// collection (count and sums).
/// </summary>
internal static class ChangeStreamScenario
{
    private const string Collection = "changes";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static async Task<ChangeStreamResult> RunAsync(
        IMongoDatabase source, string mongoUri, string clickHouseUrl, Destination destination, BenchOptions options, Action<string> log, CancellationToken ct)
    {
        var initial = options.Size(100_000);
        var seconds = options.Quick ? 20 : 60;
        const double rate = 5_000;
        var collection = source.GetCollection<BsonDocument>(Collection);
        await source.DropCollectionAsync(Collection, ct).ConfigureAwait(false);
        foreach (var chunk in Enumerable.Range(0, initial).Chunk(10_000))
            await collection.InsertManyAsync(chunk.Select(i => Document(i, -1, 0)), cancellationToken: ct).ConfigureAwait(false);
        var table = "changes_zenith";
        await destination.DropTableAsync(BenchRun.TargetDatabase, table, ct).ConfigureAwait(false);

        await using var service = await ZenithService.StartAsync(ct).ConfigureAwait(false);
        var id = await service.AddAsync(new
        {
            name = "bench_change_stream",
            source = new { uri = mongoUri, database = BenchRun.SourceDatabase, collection = Collection },
            destination = new { uri = clickHouseUrl, database = BenchRun.TargetDatabase, table },
            mode = "change_stream",
            batchSize = 5_000,
        }, ct).ConfigureAwait(false);
        while (!(await service.GetAsync(id, ct).ConfigureAwait(false)).TryGetProperty("caughtUp", out var up) || up.ValueKind != JsonValueKind.True)
            await Task.Delay(100, ct).ConfigureAwait(false);
        log($"change stream: {initial:N0} documents loaded, streaming; writers at {rate:N0} changes/s for {seconds} s");

        var rowsBefore = RowsWritten(await service.GetAsync(id, ct).ConfigureAwait(false));
        var written = new Dictionary<long, long>();
        var latencies = new List<double>();
        var rss = new List<double>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var writers = WriteAsync(collection, initial, rate, TimeSpan.FromSeconds(seconds), written, clock, stop.Token);
        var poller = PollAsync(destination, table, written, latencies, clock, stop.Token);
        var sampler = SampleAsync(service, rss, stop.Token);
        var changes = await writers.ConfigureAwait(false);
        var window = clock.Elapsed.TotalSeconds;
        var load = File.ReadAllText("/proc/loadavg").Split(' ').Take(3);

        // Let the stream apply what was written (it says it caught up), give the poller a last look, then stop measuring.
        var drained = Stopwatch.StartNew();
        while (drained.Elapsed < TimeSpan.FromSeconds(120)
            && (!(await service.GetAsync(id, ct).ConfigureAwait(false)).TryGetProperty("caughtUp", out var caught) || caught.ValueKind != JsonValueKind.True))
            await Task.Delay(100, ct).ConfigureAwait(false);
        await Task.Delay(300, ct).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await IgnoreCancellation(poller).ConfigureAwait(false);
        await IgnoreCancellation(sampler).ConfigureAwait(false);
        var rowsAfter = RowsWritten(await service.GetAsync(id, ct).ConfigureAwait(false));
        var peak = service.PeakRssMiB;
        var check = await CheckAsync(collection, destination, table, ct).ConfigureAwait(false);
        await service.PauseAsync(id, ct).ConfigureAwait(false);
        await destination.DropTableAsync(BenchRun.TargetDatabase, table, ct).ConfigureAwait(false);
        await destination.ExecuteAsync($"DROP VIEW IF EXISTS {Destination.Name(BenchRun.TargetDatabase, table + "_current")}", ct).ConfigureAwait(false);
        await source.DropCollectionAsync(Collection, ct).ConfigureAwait(false);

        latencies.Sort();
        double? Percentile(double p) => latencies.Count == 0 ? null : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return new ChangeStreamResult(
            initial,
            window,
            rate,
            changes / window,
            (rowsAfter - rowsBefore) / (window + drained.Elapsed.TotalSeconds),
            latencies.Count,
            Percentile(0.50),
            Percentile(0.99),
            latencies.Count == 0 ? null : latencies[^1],
            peak,
            rss.Count == 0 ? 0 : rss.Average(),
            string.Join(", ", load),
            check);
    }


    private static BsonDocument Document(long n, long seq, long writtenAtMicros) => new()
    {
        { "_id", n },
        { "kind", $"k{n % 7}" },
        { "value", n * 0.5 },
        { "seq", seq },
        { "w", writtenAtMicros },
    };

    /// <summary>Mixed changes at <paramref name="rate"/> per second in bulk writes every 100 ms; each insert and update carries its sequence number.</summary>
    private static async Task<long> WriteAsync(
        IMongoCollection<BsonDocument> collection, long initial, double rate, TimeSpan duration, Dictionary<long, long> written, Stopwatch clock, CancellationToken ct)
    {
        var random = new Random(1012);
        long next = initial, seq = 0, count = 0;
        var perTick = (int)(rate * Tick.TotalSeconds);
        var start = clock.Elapsed;
        for (var tick = 0; clock.Elapsed - start < duration; tick++)
        {
            var models = new List<WriteModel<BsonDocument>>(perTick);
            var stamps = new List<long>(perTick);
            for (var i = 0; i < perTick; i++)
            {
                var roll = random.Next(100);
                if (roll < 45)
                {
                    seq++;
                    stamps.Add(seq);
                    models.Add(new InsertOneModel<BsonDocument>(Document(next++, seq, 0)));
                }
                else if (roll < 80)
                {
                    seq++;
                    stamps.Add(seq);
                    models.Add(new UpdateOneModel<BsonDocument>(new BsonDocument("_id", random.NextInt64(0, next)), new BsonDocument("$set", new BsonDocument { { "seq", seq }, { "value", seq * 0.25 } })));
                }
                else
                {
                    models.Add(new DeleteOneModel<BsonDocument>(new BsonDocument("_id", random.NextInt64(0, next))));
                }
            }

            await collection.BulkWriteAsync(models, new BulkWriteOptions { IsOrdered = false }, ct).ConfigureAwait(false);
            var acknowledged = clock.Elapsed.Ticks;
            lock (written)
            {
                foreach (var s in stamps)
                    written[s] = acknowledged;
            }

            count += models.Count;
            var due = start + (Tick * (tick + 1));
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>Reads the sequence numbers ClickHouse has beyond the last one seen; each one's latency is now − its write's acknowledgement.</summary>
    private static async Task PollAsync(Destination destination, string table, Dictionary<long, long> written, List<double> latencies, Stopwatch clock, CancellationToken ct)
    {
        long lastSeen = 0;
        while (!ct.IsCancellationRequested)
        {
            var since = lastSeen;
            var sql = $"SELECT seq FROM {Destination.Name(BenchRun.TargetDatabase, table)} WHERE seq > {since.ToString(CultureInfo.InvariantCulture)}";
            using (var reader = await destination.Client.ExecuteReaderAsync(sql, null, null, ct).ConfigureAwait(false))
            {
                var seen = clock.Elapsed.Ticks;
                var max = since;
                while (reader.Read())
                {
                    var s = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                    max = Math.Max(max, s);
                    lock (written)
                    {
                        if (written.Remove(s, out var at))
                            latencies.Add(TimeSpan.FromTicks(seen - at).TotalSeconds);
                    }
                }

                lastSeen = max;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private static async Task SampleAsync(ZenithService service, List<double> rss, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            rss.Add(service.RssMiB);
            await Task.Delay(1000, ct).ConfigureAwait(false);
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static long RowsWritten(JsonElement connector) =>
        connector.TryGetProperty("lastResult", out var run) && run.ValueKind == JsonValueKind.Object ? run.GetProperty("rowsWritten").GetInt64() : 0;

    /// <summary>The current-rows view against the collection once the stream caught up: count and sums; null when equal.</summary>
    private static async Task<string?> CheckAsync(IMongoCollection<BsonDocument> collection, Destination destination, string table, CancellationToken ct)
    {
        var docs = await collection.Find(FilterDefinition<BsonDocument>.Empty).Project(new BsonDocument { { "seq", 1 } }).ToListAsync(ct).ConfigureAwait(false);
        var expected = $"{docs.Count} {docs.Sum(d => d["_id"].ToInt64())} {docs.Sum(d => d["seq"].ToInt64())}";
        var deadline = Stopwatch.StartNew();
        var actual = "";
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            actual = await destination.ScalarTextAsync(
                $"SELECT concat(toString(count()), ' ', toString(sum(toInt64(_id))), ' ', toString(sum(seq))) FROM {Destination.Name(BenchRun.TargetDatabase, table + "_current")}", ct).ConfigureAwait(false);
            if (actual == expected)
                return null;
            await Task.Delay(250, ct).ConfigureAwait(false);
        }

        return $"the current-rows view holds (count, sum of _id, sum of seq) {actual}, the collection {expected}";
    }
}
