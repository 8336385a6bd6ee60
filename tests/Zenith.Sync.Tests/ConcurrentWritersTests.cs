using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;
using Xunit.Abstractions;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>
/// Issue 11's acceptance test: writers as real traffic has them while a connector syncs every second in a child process that is
/// SIGKILLed at random points (at least five times). incremental_id: three application servers making ObjectIds in the same
/// seconds with their own machine bytes and committing late, integer and string _ids from counters committed out of order, an
/// ObjectId dated 2099. incremental_timestamp: writers whose clocks are up to a second behind or half a second ahead, mixed _id
/// types, documents without the field, updates during runs, a document dated 2099 that is updated too. When the writers stop and
/// one more run finishes, the table read with FINAL equals the collection document for document, value for value.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ConcurrentWritersTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private const int SettleSeconds = 3;
    private const int Kills = 5;
    private static readonly TimeSpan Writing = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private readonly string _checkpointFile = Path.Combine(Path.GetTempPath(), $"zenith-writers-{Guid.NewGuid():N}.json");

    [Theory]
    [InlineData(SyncMode.IncrementalId)]
    [InlineData(SyncMode.IncrementalTimestamp)]
    public async Task Out_of_order_writers_skewed_clocks_updates_and_kills_leave_the_table_equal_to_the_collection(SyncMode mode)
    {
        var connector = servers.NewConnector(mode, batchSize: 50) with { SettleSeconds = SettleSeconds };
        var collection = servers.Collection(connector);
        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed}");
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            using var stop = new CancellationTokenSource();
            var traffic = new Traffic(collection, new Random(seed));
            await collection.InsertOneAsync(Traffic.FarFuture(mode));
            var writers = mode == SyncMode.IncrementalId ? traffic.AppendOnly(stop.Token) : traffic.InsertsAndUpdates(stop.Token);
            var syncing = SyncEverySecondAsync(connector, () => !stop.IsCancellationRequested, new Random(seed + 1), timeout.Token);

            await Task.Delay(Writing, timeout.Token);
            await stop.CancelAsync();
            await writers;
            var kills = await syncing;
            output.WriteLine($"{traffic.Written} documents written, {traffic.Updated} updates; {kills} kills");
            Assert.True(kills >= Kills, $"only {kills} kills landed");

            using (var last = RunnerProcess.Start(connector, _checkpointFile))
            {
                Assert.True(await last.WaitForExitAsync(timeout.Token) == 0, last.Output);
                output.WriteLine(last.Output.Split('\n').Single(l => l.StartsWith("done ", StringComparison.Ordinal)));
            }

            await TableAssert.EqualsSourceAsync(servers, connector, mode == SyncMode.IncrementalId ? ["n", "name", "value"] : ["n", "name", "value", "updated_at"]);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    public void Dispose()
    {
        File.Delete(_checkpointFile);
        File.Delete(_checkpointFile + ".tmp");
    }

    /// <summary>
    /// A run every second, every other one SIGKILLed at a random moment (startup, DDL, mid-read, between an insert and its checkpoint),
    /// until the writers stopped and the kills are in; returns how many kills landed before the run ended on its own.
    /// </summary>
    private async Task<int> SyncEverySecondAsync(ConnectorSpec connector, Func<bool> writing, Random random, CancellationToken ct)
    {
        var kills = 0;
        for (var run = 0; writing() || kills < Kills; run++)
        {
            var started = DateTime.UtcNow;
            using (var runner = RunnerProcess.Start(connector, _checkpointFile))
            {
                if (run % 2 == 1)
                {
                    // Half the kills at a moment (often before the first insert), half right after an insert's acknowledgement.
                    if (random.Next(2) == 0)
                    {
                        await Task.Delay(random.Next(200, 1_500), ct);
                    }
                    else
                    {
                        await runner.WaitForCommitsAsync(random.Next(1, 5), ct);
                    }

                    if (await runner.TryKillAsync())
                    {
                        kills++;
                        output.WriteLine($"run {run}: killed after {runner.Commits} commits");
                    }
                }
                else
                {
                    Assert.True(await runner.WaitForExitAsync(ct) == 0, runner.Output);
                }
            }

            // The schedule: the next run a second after this one began.
            var next = started.AddSeconds(1) - DateTime.UtcNow;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, ct);
            }
        }

        return kills;
    }

    /// <summary>
    /// The writers. Their commit delays and clock skews are the traffic being modelled (what makes keys visible out of order),
    /// all below the settle window: a key becomes visible at most ~2 s after a later one.
    /// </summary>
    private sealed class Traffic(IMongoCollection<BsonDocument> collection, Random random)
    {
        private readonly ConcurrentBag<BsonValue> ids = [];
        private readonly ConcurrentBag<Task> pending = [];
        private int sequence;
        private int updates;

        public int Written => ids.Count;

        public int Updated => Volatile.Read(ref updates);

        private static readonly DateTime Year2099 = new(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>A test row or local time stored as UTC: dated 2099 (by its ObjectId, or its field). The updaters leave it alone.</summary>
        public static BsonDocument FarFuture(SyncMode mode) => mode == SyncMode.IncrementalId
            ? Document(Keys.ObjectIdAt(Year2099, 0x77, 1), -1, null)
            : Document("far-future", -1, Year2099);

        /// <summary>incremental_id: inserts only.</summary>
        public Task AppendOnly(CancellationToken stop) => Task.WhenAll(
            WriteAsync((n, now) => (Keys.ObjectIdAt(now, 0x11, n), 700), null, stop),
            WriteAsync((n, now) => (Keys.ObjectIdAt(now, 0xEE, n), 50), null, stop),
            WriteAsync((n, now) => (Keys.ObjectIdAt(now, 0x5A, n), 300), null, stop),
            WriteAsync((n, _) => (n % 2 == 0 ? n : (BsonValue)$"evt-{n:D8}", 700), null, stop));

        /// <summary>incremental_timestamp: inserts from skewed clocks, documents without the field, and updates of what is there.</summary>
        public Task InsertsAndUpdates(CancellationToken stop) => Task.WhenAll(
            WriteAsync((n, now) => (Keys.ObjectIdAt(now, 0x11, n), 500), TimeSpan.FromSeconds(-1), stop),
            WriteAsync((n, _) => (n % 3 == 0 ? n : (BsonValue)$"evt-{n:D8}", 500), TimeSpan.FromMilliseconds(500), stop),
            UpdateAsync(TimeSpan.FromMilliseconds(-800), stop),
            UpdateAsync(TimeSpan.FromMilliseconds(300), stop),
            UpdateFarFutureAsync(stop));

        /// <summary>A key made now (from the counter and this writer's clock), committed up to <c>lateMs</c> later.</summary>
        private async Task WriteAsync(Func<int, DateTimeOffset, (BsonValue Id, int LateMs)> key, TimeSpan? clock, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sequence);
                var now = DateTimeOffset.UtcNow + (clock ?? TimeSpan.Zero);
                var (id, lateMs) = key(n, now);
                int late;
                DateTime? updatedAt;
                lock (random)
                {
                    late = random.Next(lateMs);
                    updatedAt = clock is null || random.Next(20) == 0 ? null : now.UtcDateTime;
                }

                pending.Add(CommitAsync(Document(id, n, updatedAt), late));
                await Task.Delay(15, CancellationToken.None);
            }

            await Task.WhenAll(pending);
        }

        private async Task CommitAsync(BsonDocument document, int lateMs)
        {
            await Task.Delay(lateMs);
            await collection.InsertOneAsync(document, cancellationToken: CancellationToken.None);
            ids.Add(document["_id"]);
        }

        private async Task UpdateAsync(TimeSpan clock, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                BsonValue? id;
                int value;
                lock (random)
                {
                    id = ids.IsEmpty ? null : ids.ElementAt(random.Next(ids.Count));
                    value = random.Next();
                }

                if (id is not null)
                {
                    await collection.UpdateOneAsync(
                        new BsonDocument("_id", id),
                        new BsonDocument("$set", new BsonDocument { { "value", value }, { "updated_at", (DateTimeOffset.UtcNow + clock).UtcDateTime } }),
                        cancellationToken: CancellationToken.None);
                    Interlocked.Increment(ref updates);
                }

                await Task.Delay(40, CancellationToken.None);
            }
        }

        /// <summary>The far-future document changes once while the connector runs, and stays in 2099.</summary>
        private async Task UpdateFarFutureAsync(CancellationToken stop)
        {
            try
            {
                await Task.Delay(Writing / 2, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await collection.UpdateOneAsync(new BsonDocument("_id", "far-future"), new BsonDocument("$set", new BsonDocument("value", 2099)), cancellationToken: CancellationToken.None);
            Interlocked.Increment(ref updates);
        }

        private static BsonDocument Document(BsonValue id, int n, DateTime? updatedAt)
        {
            var document = new BsonDocument { { "_id", id }, { "n", n }, { "name", $"event {n}" }, { "value", 0 } };
            if (updatedAt is { } at)
            {
                document["updated_at"] = at;
            }

            return document;
        }
    }
}
