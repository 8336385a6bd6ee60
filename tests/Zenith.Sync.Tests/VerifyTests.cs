using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;
using Zenith.Core.Verify;
using Zenith.Sync.Verify;

namespace Zenith.Sync.Tests;

/// <summary>
/// Verification against the real ends: a table synced by the engine, then changed by hand on one side or the other, must be
/// reported exactly (ids and counts), and a table that equals its collection must verify clean, whatever the ids' types.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class VerifyTests(Servers servers)
{
    private static readonly DateTime Epoch = new(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    // Small ranges and sort runs, so a few thousand ids cross many ranges and spill sorted runs to disk.
    private static readonly VerificationOptions Small = new() { RangeSize = 700, SortRunSize = 300, SampleSize = 5000, MaxReportedIds = 50 };

    private static BsonDocument Visit(BsonValue id, int i) => new()
    {
        { "_id", id },
        { "site", $"site-{i % 17}" },
        { "duration_ms", i * 37 },
        { "device", new BsonDocument { { "type", i % 2 == 0 ? "mobile" : "desktop" }, { "version", 140 + (i % 3) } } },
        { "tags", new BsonArray { "a", $"t{i % 5}" } },
        { "updated_at", Epoch.AddSeconds(i) },
    };

    private static ObjectId Oid(int i) => ObjectId.Parse($"67c2{i:x20}");

    private async Task<ConnectorSpec> SyncedAsync(SyncMode mode, IEnumerable<BsonDocument> documents, MemoryCheckpointStore? store = null)
    {
        var connector = servers.NewConnector(mode, batchSize: 500);
        await servers.Collection(connector).InsertManyAsync(documents);
        var result = await new SyncEngine().RunAsync(connector, store ?? new MemoryCheckpointStore(), new RecordingObserver(), default);
        Assert.True(result.Outcome == SyncOutcome.Succeeded, result.Error);
        return connector;
    }

    private static async Task<VerificationReport> VerifyAsync(ConnectorSpec connector, MemoryCheckpointStore? store = null, VerificationOptions? options = null, IVerificationObserver? observer = null)
    {
        var checkpoint = store is null ? null : await store.LoadAsync(connector.Id, default);
        var result = await new Verifier(new SyncEngineOptions()).VerifyAsync(connector, checkpoint, options ?? Small, observer ?? new Progress(), default);
        Assert.True(result.Outcome == VerificationOutcome.Succeeded, result.Error);
        return result.Report!;
    }

    private static string Table(ConnectorSpec c) => $"`{c.Destination.Database}`.`{c.Destination.Table}`";

    private Task ClickHouseAsync(string sql) => servers.ClickHouse.ExecuteAsync(sql);

    [Fact]
    public async Task A_synced_table_verifies_clean_across_many_ranges()
    {
        var store = new MemoryCheckpointStore();
        var connector = await SyncedAsync(SyncMode.IncrementalId, Enumerable.Range(0, 3000).Select(i => Visit(Oid(i), i)), store);
        try
        {
            var report = await VerifyAsync(connector, store);
            Assert.True(report.IsClean, Describe(report));
            Assert.Equal((3000L, 3000L, 3000L), (report.SourceCount, report.DestinationCount, report.Sampled));
            Assert.Equal(0, report.Pending);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Ids_of_every_type_verify_clean_although_mongodb_and_clickhouse_order_them_differently()
    {
        // Numbers sort 9 < 10 in MongoDB and "10" < "9" in ClickHouse; dates, strings and ObjectIds interleave by text.
        var ids = Enumerable.Range(0, 1200).Select(i => (BsonValue)(i - 600))
            .Concat(Enumerable.Range(0, 300).Select(i => (BsonValue)(i * 1.5 + 0.25)))
            .Concat(Enumerable.Range(0, 300).Select(i => (BsonValue)(10_000_000_000L + i)))
            .Concat(Enumerable.Range(0, 400).Select(i => (BsonValue)$"visit-{i}"))
            .Concat(Enumerable.Range(0, 400).Select(i => (BsonValue)Oid(i)))
            .Concat(Enumerable.Range(0, 100).Select(i => (BsonValue)new BsonDateTime(Epoch.AddDays(i))))
            // NaN sorts below every number and no range selects it; Decimal128 shares the bracket; each bracket is read by its own range.
            .Concat([double.NaN, double.NegativeInfinity, double.PositiveInfinity, new BsonDecimal128(Decimal128.Parse("0.5")), BsonNull.Value, new BsonDocument("k", 1)])
            .Concat([new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard), true, false, new BsonTimestamp(7, 1), new BsonJavaScript("f()"), BsonMinKey.Value, BsonMaxKey.Value])
            .ToList();
        var connector = await SyncedAsync(SyncMode.Full, ids.Select((id, i) => Visit(id, i)));
        try
        {
            var clean = await VerifyAsync(connector);
            Assert.True(clean.IsClean, Describe(clean));
            Assert.Equal(ids.Count, clean.SourceCount);

            await ClickHouseAsync($"ALTER TABLE {Table(connector)} DELETE WHERE _id IN ('-7', '10', '1.75', 'visit-3', '2025-03-02 00:00:00.000') SETTINGS mutations_sync = 2");
            var report = await VerifyAsync(connector);
            Assert.Equal(5, report.Missing);
            Assert.Equal(
                ["-7", "1.75", "10", "2025-03-02 00:00:00.000", "visit-3"],
                report.MissingIds.Select(i => i.Id).Order(StringComparer.Ordinal));
            Assert.Equal(["date", "number", "number", "number", "string"], report.MissingIds.Select(i => i.Type!).Order(StringComparer.Ordinal));
            Assert.Equal((0L, 0L), (report.Extra, report.ValueMismatches));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task Rows_removed_and_rows_added_by_hand_are_reported_exactly()
    {
        var store = new MemoryCheckpointStore();
        var connector = await SyncedAsync(SyncMode.IncrementalId, Enumerable.Range(0, 2000).Select(i => Visit(Oid(i), i)), store);
        try
        {
            var removed = new[] { 0, 699, 700, 1500, 1999 }.Select(i => Oid(i).ToString()).ToList();
            await ClickHouseAsync($"ALTER TABLE {Table(connector)} DELETE WHERE _id IN ({string.Join(", ", removed.Select(r => $"'{r}'"))}) SETTINGS mutations_sync = 2");
            var added = new[] { Oid(5000).ToString(), "000-before-everything", "zzz-after-everything" };
            await ClickHouseAsync($"INSERT INTO {Table(connector)} (_id, site, _zenith_synced_at, _zenith_version) VALUES {string.Join(", ", added.Select(a => $"('{a}', 'by hand', now64(3), 1)"))}");

            var report = await VerifyAsync(connector, store);
            Assert.Equal(5, report.Missing);
            Assert.Equal(removed.Order(StringComparer.Ordinal), report.MissingIds.Select(i => i.Id).Order(StringComparer.Ordinal));
            Assert.All(report.MissingIds, i => Assert.Equal("objectId", i.Type));
            Assert.Equal(3, report.Extra);
            Assert.Equal(added.Order(StringComparer.Ordinal), report.ExtraIds.Select(i => i.Id).Order(StringComparer.Ordinal));
            Assert.Equal((2000L, 1998L), (report.SourceCount, report.DestinationCount));
            Assert.Equal((0L, 0L), (report.ValueMismatches, report.Pending));
            Assert.False(report.IsClean);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_value_changed_by_hand_is_reported_with_its_column_and_source_path()
    {
        var connector = await SyncedAsync(SyncMode.Full, Enumerable.Range(0, 400).Select(i => Visit(Oid(i), i)));
        try
        {
            var id = Oid(123).ToString();
            await ClickHouseAsync($"INSERT INTO {Table(connector)} SELECT * REPLACE ('laptop' AS device_type, _zenith_version + 1 AS _zenith_version) FROM {Table(connector)} FINAL WHERE _id = '{id}'");
            var tags = Oid(7).ToString();
            await ClickHouseAsync($"INSERT INTO {Table(connector)} SELECT * REPLACE (['a'] AS tags, _zenith_version + 1 AS _zenith_version) FROM {Table(connector)} FINAL WHERE _id = '{tags}'");

            var report = await VerifyAsync(connector);
            Assert.Equal(400, report.Sampled);
            Assert.Equal(2, report.ValueMismatches);
            var mismatches = report.Mismatches.ToDictionary(m => m.Id.Id);
            Assert.Equal([new ColumnDifference("device_type", "device.type", "differs")], mismatches[id].Columns);
            Assert.Equal([new ColumnDifference("tags", "tags", "differs")], mismatches[tags].Columns);
            Assert.Equal((0L, 0L, 0L), (report.Missing, report.Extra, report.Stale));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_field_the_table_has_no_column_for_is_a_difference()
    {
        var connector = await SyncedAsync(SyncMode.Full, Enumerable.Range(0, 50).Select(i => Visit(Oid(i), i)));
        try
        {
            // Written at the source after the run, without touching the cursor: a full run would add the column.
            await servers.Collection(connector).UpdateOneAsync(new BsonDocument("_id", Oid(9)), new BsonDocument("$set", new BsonDocument("device.os", "linux")));
            var report = await VerifyAsync(connector);
            var mismatch = Assert.Single(report.Mismatches);
            Assert.Equal(Oid(9).ToString(), mismatch.Id.Id);
            Assert.Equal([new ColumnDifference("device_os", "device.os", "no column")], mismatch.Columns);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_stale_version_in_clickhouse_is_reported_and_an_update_the_next_run_reads_is_pending()
    {
        var store = new MemoryCheckpointStore();
        var connector = await SyncedAsync(SyncMode.IncrementalTimestamp, Enumerable.Range(0, 1500).Select(i => Visit(Oid(i), i)), store);
        try
        {
            // An older version of one row wins in ClickHouse (a higher version, an older cursor value): the next run will not fix it.
            var stale = Oid(42).ToString();
            await ClickHouseAsync($"INSERT INTO {Table(connector)} SELECT * REPLACE (updated_at - INTERVAL 1 HOUR AS updated_at, _zenith_version + 1 AS _zenith_version) FROM {Table(connector)} FINAL WHERE _id = '{stale}'");
            // A document updated after the run, with a newer cursor value: the next run copies it.
            await servers.Collection(connector).UpdateOneAsync(
                new BsonDocument("_id", Oid(7)), new BsonDocument("$set", new BsonDocument { { "site", "moved" }, { "updated_at", Epoch.AddDays(10) } }));

            var report = await VerifyAsync(connector, store);
            Assert.Equal(1, report.Stale);
            Assert.Equal([new VerifiedId(stale, "objectId")], report.StaleIds);
            var mismatch = Assert.Single(report.Mismatches);
            Assert.Equal(stale, mismatch.Id.Id);
            Assert.Equal(["updated_at"], mismatch.Columns.Select(c => c.Column));
            Assert.Equal(2, report.Pending);
            Assert.Equal((0L, 0L), (report.Missing, report.Extra));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_document_deleted_at_the_source_in_an_incremental_mode_is_an_extra_id_and_new_documents_are_pending()
    {
        var store = new MemoryCheckpointStore();
        var connector = await SyncedAsync(SyncMode.IncrementalId, Enumerable.Range(0, 800).Select(i => Visit(Oid(i), i)), store);
        try
        {
            var collection = servers.Collection(connector);
            await collection.DeleteOneAsync(new BsonDocument("_id", Oid(300)));
            await collection.InsertManyAsync(Enumerable.Range(800, 25).Select(i => Visit(Oid(i), i)));

            var report = await VerifyAsync(connector, store);
            Assert.Equal([new VerifiedId(Oid(300).ToString(), "objectId")], report.ExtraIds);
            Assert.Equal((1L, 0L), (report.Extra, report.Missing));
            Assert.Equal(25, report.Pending);
            Assert.Contains(report.Notes, n => n.Contains("reported as an extra id", StringComparison.Ordinal));
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_change_stream_table_with_tombstones_and_old_versions_verifies_clean_and_a_row_lost_by_hand_is_missing()
    {
        var connector = servers.NewConnector(SyncMode.ChangeStream, batchSize: 1000);
        var collection = servers.Collection(connector);
        await collection.InsertManyAsync(Enumerable.Range(0, 60).Select(i => ChangeStreamTests.Doc(i)));
        await using var live = await LiveRun.StartAsync(ChangeStreamTests.Engine(), connector, new MemoryCheckpointStore());
        try
        {
            live.Begin();
            await live.WaitUntilStreamingAsync();
            // Deletes leave tombstones and updates old versions in the table: neither is a current row.
            await collection.DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 10)));
            await collection.UpdateManyAsync(new BsonDocument("n", new BsonDocument("$gte", 40)), new BsonDocument("$set", new BsonDocument("score", -2.5)));
            await live.WaitUntilEqualAsync(servers, ["n", "name", "score", "active", "at"]);

            var clean = await VerifyAsync(connector);
            Assert.True(clean.IsClean, Describe(clean));
            Assert.Equal((50L, 50L), (clean.SourceCount, clean.DestinationCount));
            Assert.Contains(clean.Notes, n => n.Contains("current rows", StringComparison.Ordinal));

            // A current row replaced by a tombstone of a newer version by hand: the document is missing, nothing else.
            var lost = (await collection.Find(new BsonDocument("n", 20)).FirstAsync())["_id"].AsObjectId;
            await ClickHouseAsync($"INSERT INTO {Table(connector)} (_id, _zenith_synced_at, _zenith_version, _zenith_id_type, _zenith_is_deleted) "
                + $"SELECT _id, _zenith_synced_at, _zenith_version + 1, _zenith_id_type, 1 FROM {Table(connector)} FINAL WHERE _id = '{lost}'");
            var report = await VerifyAsync(connector);
            Assert.Equal([new VerifiedId(lost.ToString(), "objectId")], report.MissingIds);
            Assert.Equal((1L, 0L, 0L), (report.Missing, report.Extra, report.ValueMismatches));
        }
        finally
        {
            await live.StopAsync();
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_difference_that_the_re_read_does_not_confirm_is_not_reported()
    {
        var connector = await SyncedAsync(SyncMode.Full, Enumerable.Range(0, 600).Select(i => Visit(Oid(i), i)));
        try
        {
            await ClickHouseAsync($"ALTER TABLE {Table(connector)} DELETE WHERE _id IN ('{Oid(10)}', '{Oid(20)}') SETTINGS mutations_sync = 2");
            // Between the first pass and the re-read, one of the two documents is deleted at the source: only the other is missing.
            var collection = servers.Collection(connector);
            var observer = new Progress(() => collection.DeleteOne(new BsonDocument("_id", Oid(10))));
            var report = await VerifyAsync(connector, observer: observer);
            Assert.Equal([new VerifiedId(Oid(20).ToString(), "objectId")], report.MissingIds);
            Assert.Equal(1, report.Missing);
            Assert.Equal(1, report.ChangedDuringVerification);
        }
        finally
        {
            await servers.CleanUpAsync(connector);
        }
    }

    [Fact]
    public async Task A_table_that_does_not_exist_fails_with_a_clear_reason()
    {
        var connector = servers.NewConnector(SyncMode.IncrementalId);
        var result = await new Verifier(new SyncEngineOptions()).VerifyAsync(connector, null, Small, new Progress(), default);
        Assert.Equal(VerificationOutcome.Failed, result.Outcome);
        Assert.Equal($"the table {connector.Destination.Database}.events does not exist yet: run the connector once before verifying it", result.Error);
    }

    private static string Describe(VerificationReport r) =>
        $"missing {r.Missing} [{string.Join(", ", r.MissingIds.Select(i => i.Id))}], extra {r.Extra} [{string.Join(", ", r.ExtraIds.Select(i => i.Id))}], stale {r.Stale}, mismatches {r.ValueMismatches} [{string.Join("; ", r.Mismatches.Select(m => m.Id.Id + ": " + string.Join(",", m.Columns.Select(c => c.Column))))}]";

    /// <summary>Hears the progress; runs <paramref name="beforeRecheck"/> once when the first pass is about to read its differences again.</summary>
    private sealed class Progress(Action? beforeRecheck = null) : IVerificationObserver
    {
        private Action? pending = beforeRecheck;

        public void Progressed(VerificationProgress progress)
        {
        }

        public void Rechecking(int differences) => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
