using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests.Mapping;

/// <summary>A column never changes meaning between runs, and a table of many wide columns is made whatever its DDL's size.</summary>
[Collection(ServersCollection.Name)]
public sealed class StableNameTests(Servers servers)
{
    [Fact]
    public async Task Full_mode_staging_starts_from_the_existing_table_so_colliding_names_keep_their_paths()
    {
        var connector = servers.NewConnector(SyncMode.Full);
        try
        {
            var collection = servers.Collection(connector);
            await collection.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "a", new BsonDocument("b", i) } }));
            var first = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);

            // A field literally named a_b arrives: a fresh table would give it a_b and move the path a.b to a_b_2.
            await collection.InsertManyAsync(Enumerable.Range(10, 10).Select(i => new BsonDocument { { "_id", i }, { "a_b", $"text {i}" }, { "a", new BsonDocument("b", i) } }));
            var second = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            var table = $"`{connector.Destination.Database}`.`events`";
            var comments = (await servers.ClickHouse.QueryAsync($"SELECT name, comment FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events' AND name LIKE 'a%' ORDER BY name"))
                .Select(r => $"{r[0]} {r[1]}").ToList();
            Assert.Equal(["a_b [\"a\",\"b\"]", "a_b_2 [\"a_b\"]"], comments);
            Assert.Equal(15L, await servers.ClickHouse.ScalarAsync<long>($"SELECT a_b FROM {table} FINAL WHERE _id = '15'"));
            Assert.Equal("text 15", await servers.ClickHouse.ScalarAsync<string>($"SELECT a_b_2 FROM {table} FINAL WHERE _id = '15'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_table_whose_create_statement_passes_max_query_size_is_made_and_written()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: new MappingOptions { MaxColumns = 2000 });
        var names = Enumerable.Range(0, 1200).Select(i => $"field_{i:D4}_" + new string('x', 180)).ToList();
        try
        {
            await servers.Collection(connector).InsertManyAsync(Enumerable.Range(0, 3).Select(d =>
            {
                var document = new BsonDocument("_id", d);
                foreach (var name in names)
                {
                    document[name] = d;
                }

                return document;
            }));
            var observer = new RecordingObserver();
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Contains(observer.Notes, n => n.Contains("with 1205 columns", StringComparison.Ordinal));
            Assert.Equal(2L, await servers.ClickHouse.ScalarAsync<long>($"SELECT `{names[^1]}` FROM `{connector.Destination.Database}`.`events` FINAL WHERE _id = '2'"));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
