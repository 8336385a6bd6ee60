using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using Xunit.Abstractions;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;

namespace Zenith.Sync.Tests;

/// <summary>
/// A sync in a child process is SIGKILLed at random points (after a random number of committed batches, so the
/// kill lands mid-insert or mid-checkpoint), restarted, killed again, and finally run to completion.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class KillTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Fields = ["n", "name", "updated_at"];
    private static readonly DateTime Epoch = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _checkpointFile = Path.Combine(Path.GetTempPath(), $"zenith-kill-{Guid.NewGuid():N}.json");

    private static BsonDocument Doc(int i, int revision = 0)
    {
        var doc = new BsonDocument
        {
            { "_id", ObjectId.Parse($"67000000{i:x16}") },
            { "n", i },
            { "name", $"event {i} r{revision}" },
            // Runs of 7 documents share a timestamp, so kills also land inside ties.
            { "updated_at", Epoch.AddSeconds((i / 7) + (revision * 1_000_000)) },
        };

        // Some documents have no cursor value (an update gives them one): the timestamp cursor copies them first, by _id.
        if (revision == 0 && i % 11 == 0)
        {
            doc.Remove("updated_at");
        }

        return doc;
    }

    [Theory]
    [InlineData(SyncMode.IncrementalId)]
    [InlineData(SyncMode.IncrementalTimestamp)]
    public async Task Killed_incremental_runs_resume_without_duplicates_or_gaps(SyncMode mode)
    {
        var connector = servers.NewConnector(mode, batchSize: 400);
        var collection = servers.Collection(connector);
        var random = Seeded();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 60_000).Select(i => Doc(i)));
            for (var kill = 1; kill <= 5; kill++)
            {
                var commits = random.Next(1, 13);
                using (var runner = RunnerProcess.Start(connector, _checkpointFile))
                {
                    Assert.True(await runner.WaitForCommitsAsync(commits, timeout.Token), $"the runner ended before {commits} commits:\n{runner.Output}");
                    await runner.KillAsync();
                }

                output.WriteLine($"kill {kill}: after {commits} commits; checkpoint {LoadCheckpoint()?.Display}");
                await AssertNoGapsUpToCheckpointAsync(connector);
                if (kill == 2 && mode == SyncMode.IncrementalTimestamp)
                {
                    // Changes between restarts: updated documents move past the checkpoint and must arrive again.
                    for (var i = 0; i < 60_000; i += 199)
                    {
                        await collection.ReplaceOneAsync(new BsonDocument("_id", Doc(i)["_id"]), Doc(i, revision: 1));
                    }
                }

                if (kill == 3)
                {
                    await InsertAsync(collection, Enumerable.Range(60_000, 500).Select(i => Doc(i, revision: i % 2)));
                }
            }

            using (var last = RunnerProcess.Start(connector, _checkpointFile))
            {
                Assert.True(await last.WaitForExitAsync(timeout.Token) == 0, last.Output);
                var done = last.Output.Split('\n').Single(l => l.StartsWith("done ", StringComparison.Ordinal));
                output.WriteLine(done);
                var read = long.Parse(done.Split(' ').Single(p => p.StartsWith("read=", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(read < 60_000, $"the last run should resume from the checkpoint, but read {read} documents");
            }

            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() - uniqExact(_id) FROM {Table(connector)} FINAL"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_killed_full_run_leaves_the_previous_table_intact()
    {
        var connector = servers.NewConnector(SyncMode.Full, batchSize: 300);
        var collection = servers.Collection(connector);
        var random = Seeded();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await InsertAsync(collection, Enumerable.Range(0, 30_000).Select(i => Doc(i)));
            using (var first = RunnerProcess.Start(connector, _checkpointFile))
            {
                Assert.True(await first.WaitForExitAsync(timeout.Token) == 0, first.Output);
            }

            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            var before = await TableIdsAsync(connector);
            await collection.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 2_000)));
            await InsertAsync(collection, Enumerable.Range(30_000, 1_000).Select(i => Doc(i)));
            for (var kill = 1; kill <= 5; kill++)
            {
                var commits = random.Next(1, 30);
                using (var runner = RunnerProcess.Start(connector, _checkpointFile))
                {
                    Assert.True(await runner.WaitForCommitsAsync(commits, timeout.Token), $"the runner ended before {commits} commits:\n{runner.Output}");
                    await runner.KillAsync();
                }

                output.WriteLine($"kill {kill}: after {commits} commits");
                Assert.Equal(before, await TableIdsAsync(connector));
            }

            using (var last = RunnerProcess.Start(connector, _checkpointFile))
            {
                Assert.True(await last.WaitForExitAsync(timeout.Token) == 0, last.Output);
            }

            await TableAssert.EqualsSourceAsync(servers, connector, Fields);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.tables WHERE database = '{connector.Destination.Database}' AND name LIKE '%zenith_staging%'"));
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

    private Random Seeded()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed}");
        return new Random(seed);
    }

    private Checkpoint? LoadCheckpoint() =>
        File.Exists(_checkpointFile) ? JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(_checkpointFile)) : null;

    /// <summary>Every source document at or before the stored checkpoint is in the table, and the table holds nothing else.</summary>
    private async Task AssertNoGapsUpToCheckpointAsync(ConnectorSpec connector)
    {
        var inTable = await TableIdsAsync(connector);
        var source = await servers.Collection(connector).Find(FilterDefinition<BsonDocument>.Empty).Project(Builders<BsonDocument>.Projection.Include("_id")).ToListAsync();
        Assert.Subset(source.Select(d => TableAssert.IdText(d["_id"])).ToHashSet(), inTable);
        var checkpoint = LoadCheckpoint();
        if (checkpoint is null)
        {
            return;
        }

        var pending = CursorRules.Filter(connector, checkpoint);
        var covered = await servers.Collection(connector).Find(new BsonDocument("$nor", new BsonArray { pending }))
            .Project(Builders<BsonDocument>.Projection.Include("_id")).ToListAsync();
        Assert.NotEmpty(covered);
        Assert.Superset(covered.Select(d => TableAssert.IdText(d["_id"])).ToHashSet(), inTable);
    }

    private async Task<HashSet<string>> TableIdsAsync(ConnectorSpec connector)
    {
        var rows = await servers.ClickHouse.QueryAsync($"SELECT _id FROM {Table(connector)} FINAL");
        return rows.Select(r => (string)r[0]!).ToHashSet();
    }

    private static string Table(ConnectorSpec connector) => $"`{connector.Destination.Database}`.`{connector.Destination.Table}`";

    private static async Task InsertAsync(IMongoCollection<BsonDocument> collection, IEnumerable<BsonDocument> docs)
    {
        foreach (var chunk in docs.Chunk(10_000))
        {
            await collection.InsertManyAsync(chunk);
        }
    }
}
