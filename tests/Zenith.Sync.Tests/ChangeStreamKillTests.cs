using MongoDB.Bson;
using MongoDB.Driver;
using Xunit.Abstractions;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Tests;

/// <summary>
/// change_stream under kill -9: writers insert, update, replace and delete all the time while a runner process applies the stream
/// and is SIGKILLed after a random number of committed micro-batches, five times (the first kills land in the initial load);
/// after the writers stop, a last runner catches up and the current-rows view equals the collection exactly.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ChangeStreamKillTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Fields = ["n", "name", "score", "active", "at"];
    private readonly string _checkpointFile = Path.Combine(Path.GetTempPath(), $"zenith-cs-kill-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task Killed_streams_resume_from_their_token_and_the_view_equals_the_source()
    {
        var connector = servers.NewConnector(SyncMode.ChangeStream, batchSize: 200);
        var collection = servers.Collection(connector);
        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed}");
        var random = new Random(seed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopWriters = new CancellationTokenSource();
        try
        {
            foreach (var chunk in Enumerable.Range(0, 20_000).Select(i => ChangeStreamTests.Doc(i)).Chunk(5_000))
            {
                await collection.InsertManyAsync(chunk);
            }

            var writers = Task.Run(() => WriteAsync(collection, new Random(seed + 1), stopWriters.Token));
            for (var kill = 1; kill <= 5; kill++)
            {
                var commits = random.Next(1, 12);
                using (var runner = RunnerProcess.Start(connector, _checkpointFile))
                {
                    Assert.True(await runner.WaitForCommitsAsync(commits, timeout.Token), $"the runner ended before {commits} commits:\n{runner.Output}");
                    await runner.KillAsync();
                }

                output.WriteLine($"kill {kill}: after {commits} commits; {(writers.IsCompleted ? "writers stopped" : "writers going")}");
            }

            await stopWriters.CancelAsync();
            var written = await writers;
            output.WriteLine($"writers made {written} changes");
            using (var last = RunnerProcess.Start(connector, _checkpointFile))
            {
                string? difference = null;
                await Poll.UntilAsync(
                    async () => (difference = await TableAssert.DifferenceAsync(servers, connector, Fields, Ddl.CurrentViewName(connector.Destination.Table))) is null,
                    "the current-rows view to equal the collection",
                    () => difference + "\n" + last.Output[^Math.Min(2000, last.Output.Length)..],
                    TimeSpan.FromMinutes(2));
                await last.KillAsync();
            }

            var view = $"`{connector.Destination.Database}`.`{Ddl.CurrentViewName(connector.Destination.Table)}`";
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() - uniqExact(_zenith_id_type, _id) FROM {view}"));
        }
        finally
        {
            await stopWriters.CancelAsync();
            await servers.CleanUpAsync(connector);
        }
    }

    /// <summary>Mixed changes until stopped: new documents, $set and $inc updates, replacements, deletes (some of a document just inserted).</summary>
    private static async Task<long> WriteAsync(IMongoCollection<BsonDocument> collection, Random random, CancellationToken stop)
    {
        long changes = 0;
        var next = 20_000;
        while (!stop.IsCancellationRequested)
        {
            var target = random.Next(0, next);
            var key = new BsonDocument("_id", ChangeStreamTests.Doc(target)["_id"]);
            switch (random.Next(0, 10))
            {
                case 0 or 1 or 2:
                    await collection.InsertOneAsync(ChangeStreamTests.Doc(next++), cancellationToken: CancellationToken.None);
                    break;
                case 3 or 4:
                    await collection.UpdateOneAsync(key, new BsonDocument("$set", new BsonDocument("name", $"set {changes}")), cancellationToken: CancellationToken.None);
                    break;
                case 5:
                    await collection.UpdateOneAsync(key, new BsonDocument("$inc", new BsonDocument("score", 0.25)), cancellationToken: CancellationToken.None);
                    break;
                case 6:
                    await collection.ReplaceOneAsync(key, ChangeStreamTests.Doc(target, revision: (int)(changes % 50)), cancellationToken: CancellationToken.None);
                    break;
                case 7 or 8:
                    await collection.DeleteOneAsync(key, CancellationToken.None);
                    break;
                default:
                    // Inserted and deleted at once: the pair may share a micro-batch.
                    var fresh = ChangeStreamTests.Doc(next++);
                    await collection.InsertOneAsync(fresh, cancellationToken: CancellationToken.None);
                    await collection.DeleteOneAsync(new BsonDocument("_id", fresh["_id"]), CancellationToken.None);
                    break;
            }

            changes++;
        }

        return changes;
    }

    public void Dispose()
    {
        File.Delete(_checkpointFile);
        File.Delete(_checkpointFile + ".tmp");
    }
}
