using System.Text;
using MongoDB.Bson;
using Snapshooter;
using Snapshooter.Xunit;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Tests.Mapping;

/// <summary>Documents shaped like real public data sets, end to end: the run succeeds, the table stays within its budget, every leaf reads back equal.</summary>
[Collection(ServersCollection.Name)]
public sealed class RealWorldShapeTests(Servers servers)
{
    public static TheoryData<string> Shapes => [.. RealWorldShapes.Names];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Every_leaf_of_every_document_reads_back_equal_and_the_table_stays_within_its_budget(string shape)
    {
        var (documents, mapping) = RealWorldShapes.Create(shape);
        var connector = servers.NewConnector(SyncMode.Full, batchSize: 25, mapping: mapping);
        try
        {
            await servers.Collection(connector).InsertManyAsync(documents);
            var observer = new RecordingObserver();
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            Assert.Equal(documents.Count, result.RowsWritten);
            Assert.Empty(observer.Failures);
            var columns = await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events'");
            Assert.InRange(columns, 4, mapping.MaxColumns);
            Assert.Equal(0, await servers.ClickHouse.ScalarAsync<long>(
                $"SELECT count() FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events' AND position(name, '.') > 0 AND type NOT LIKE 'Array(%'"));
            await LeafComparer.AssertTableEqualsSourceAsync(servers, connector);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Ddl_and_preview_of_each_shape_match_their_snapshots(string shape)
    {
        var (documents, mapping) = RealWorldShapes.Create(shape);
        var builder = new SchemaBuilder(mapping);
        foreach (var document in documents)
        {
            builder.Observe(document.ToBson());
        }

        var (schema, _) = builder.Build();
        var preview = builder.Preview(schema);
        var text = new StringBuilder(Ddl.CreateTable("analytics", shape, schema, TableOptions.Default)).Append("\n\n");
        foreach (var column in preview.Columns)
        {
            text.Append($"{column.Name} | {column.Type} | {column.Kind} | {column.SourcePath} | {column.Reason}\n");
        }

        foreach (var warning in preview.Warnings)
        {
            text.Append("warning: ").Append(warning).Append('\n');
        }

        Snapshot.Match(text.ToString(), new SnapshotNameExtension(shape));
    }

    [Fact]
    public async Task Sentinel_dates_and_fractions_beside_big_integers_keep_their_columns_and_are_counted_where_they_went()
    {
        var (documents, mapping) = RealWorldShapes.Create("mixed_ids");
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: mapping);
        try
        {
            await servers.Collection(connector).InsertManyAsync(documents);
            var observer = new RecordingObserver();
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            var db = connector.Destination.Database;
            var types = (await servers.ClickHouse.QueryAsync($"SELECT name, type FROM system.columns WHERE database = '{db}' AND table = 'events' AND name IN ('amount', 'valid_until') ORDER BY name"))
                .Select(r => $"{r[0]} {r[1]}").ToList();
            Assert.Equal(["amount Nullable(Int64)", "valid_until Nullable(DateTime64(3, 'UTC'))"], types);
            var outOfRange = documents.Count(d => d["valid_until"].ToUniversalTime().Year is < 1900 or > 2299);
            var fractions = documents.Count(d => d["amount"].IsDouble && d["amount"].AsDouble % 1 != 0);
            Assert.Equal(12, outOfRange);
            Assert.Contains(observer.Notes, n => n.StartsWith($"{outOfRange + fractions} values had no column of their own or did not fit theirs exactly", StringComparison.Ordinal));
            // The biggest integer is past 2^53, where a Float64 column would have rounded it.
            var biggest = documents.Where(d => d["amount"].IsInt64).Max(d => d["amount"].AsInt64);
            Assert.Equal(biggest, await servers.ClickHouse.ScalarAsync<long>($"SELECT max(amount) FROM `{db}`.`events` FINAL"));
            await LeafComparer.AssertTableEqualsSourceAsync(servers, connector);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Grades_scores_are_a_nested_group_that_array_join_expands()
    {
        var (documents, mapping) = RealWorldShapes.Create("grades");
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: mapping);
        try
        {
            await servers.Collection(connector).InsertManyAsync(documents);
            var result = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), new RecordingObserver(), default);
            Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
            var expected = documents.Sum(d => d["scores"].AsBsonArray.Count);
            var table = $"`{connector.Destination.Database}`.`events`";
            Assert.Equal(expected, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table} FINAL ARRAY JOIN scores"));
            var exams = documents.SelectMany(d => d["scores"].AsBsonArray).Where(s => s["type"] == "exam").Select(s => s["score"].AsDouble).ToList();
            Assert.Equal(exams.Count, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table} FINAL ARRAY JOIN scores WHERE scores.type = 'exam'"));
            Assert.Equal(exams.Sum(), await servers.ClickHouse.ScalarAsync<double>($"SELECT sum(scores.score) FROM {table} FINAL ARRAY JOIN scores WHERE scores.type = 'exam'"), 6);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_new_field_of_the_arrays_documents_adds_a_nested_member_whose_old_rows_keep_equal_lengths()
    {
        var (documents, mapping) = RealWorldShapes.Create("grades");
        var connector = servers.NewConnector(SyncMode.IncrementalId, mapping: mapping);
        try
        {
            var collection = servers.Collection(connector);
            await collection.InsertManyAsync(documents);
            var store = new MemoryCheckpointStore();
            var first = await new SyncEngine().RunAsync(connector, store, new RecordingObserver(), default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            var later = Enumerable.Range(0, 5).Select(i => new BsonDocument
            {
                { "_id", ObjectId.Parse($"77d5f7eb604eb380b0d{i:x5}") },
                { "student_id", 1000 + i },
                { "scores", new BsonArray { new BsonDocument { { "type", "exam" }, { "score", 50.5 }, { "weight", 2 } }, new BsonDocument { { "type", "quiz" }, { "score", 7.0 } } } },
            }).ToList();
            await collection.InsertManyAsync(later);
            var observer = new RecordingObserver();
            var second = await new SyncEngine().RunAsync(connector, store, observer, default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.True(observer.Notes.Any(n => n.Contains("added scores.weight Array(Nullable(Int32))", StringComparison.Ordinal)), string.Join(" | ", observer.Notes));
            var table = $"`{connector.Destination.Database}`.`events`";
            var total = documents.Concat(later).Sum(d => d["scores"].AsBsonArray.Count);
            Assert.Equal(total, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table} FINAL ARRAY JOIN scores"));
            Assert.Equal(5L, await servers.ClickHouse.ScalarAsync<long>($"SELECT count() FROM {table} FINAL ARRAY JOIN scores WHERE scores.weight = 2"));
            await LeafComparer.AssertTableEqualsSourceAsync(servers, connector);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task New_keys_under_a_flattened_sub_document_that_look_like_ids_go_to_the_overflow_column_not_new_columns()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId, batchSize: 10);
        var observer = new RecordingObserver();
        try
        {
            var collection = servers.Collection(connector);
            await collection.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "stats", new BsonDocument { { "views", i }, { "likes", i * 2 } } } }));
            var first = await new SyncEngine().RunAsync(connector, new MemoryCheckpointStore(), observer, default);
            Assert.True(first.Outcome == SyncOutcome.Succeeded, first.Error);
            var store = new MemoryCheckpointStore();
            await store.SaveAsync(connector.Id, first.Checkpoint!, default);
            await collection.InsertManyAsync(Enumerable.Range(10, 30).Select(i => new BsonDocument
            {
                { "_id", i },
                { "stats", new BsonDocument { { "views", i }, { Convert.ToHexStringLower(BitConverter.GetBytes((long)i * 7919)) + "aaaaaaaa", i } } },
            }));
            var second = await new SyncEngine().RunAsync(connector, store, observer, default);
            Assert.True(second.Outcome == SyncOutcome.Succeeded, second.Error);
            Assert.Contains(observer.Notes, n => n.Contains("stats looks like a map", StringComparison.Ordinal));
            var columns = (await servers.ClickHouse.QueryAsync($"SELECT name FROM system.columns WHERE database = '{connector.Destination.Database}' AND table = 'events'")).Select(r => (string)r[0]!).ToList();
            Assert.Equal(["_id", "stats_views", "stats_likes", "_zenith_extra", "_zenith_synced_at", "_zenith_version", "_zenith_id_type"], columns);
            await LeafComparer.AssertTableEqualsSourceAsync(servers, connector);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }
}
