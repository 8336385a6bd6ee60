using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

public sealed class ChangeStreamCoreTests
{
    [Fact]
    public void A_resume_token_gives_the_cluster_time_it_starts_with()
    {
        // 0x82, then seconds 0x6750_0000 and increment 7 big-endian, then the opaque rest (as mongod makes them).
        var token = new BsonDocument("_data", "82675000000000000704" + "6E5A1004ABCDEF");
        var at = ResumeTokens.ClusterTime(token);
        Assert.Equal(0x6750_0000, at.Timestamp);
        Assert.Equal(7, at.Increment);
        Assert.Equal(new BsonTimestamp(0), ResumeTokens.ClusterTime(new BsonDocument("_data", "zz")));
    }

    [Fact]
    public void Versions_order_by_cluster_time_then_ordinal_and_the_snapshot_is_below_every_event_after_it()
    {
        var start = (ulong)new BsonTimestamp(1_800_000_000, 5).Value;
        var sameSecondLater = (ulong)new BsonTimestamp(1_800_000_000, 6).Value;
        Assert.True(ChangeVersions.Of(start, 1) > ChangeVersions.Snapshot(start));
        Assert.True(ChangeVersions.Of(start, 2) > ChangeVersions.Of(start, 1));
        Assert.True(ChangeVersions.Of(sameSecondLater, 1) > ChangeVersions.Of(start, long.MaxValue));
        Assert.True(ChangeVersions.Snapshot(sameSecondLater) > ChangeVersions.Of(start, 1_000_000));
    }

    [Fact]
    public void The_position_round_trips_through_its_checkpoint_and_says_whether_the_load_is_done()
    {
        var token = new BsonDocument("_data", "8267500000000000070401");
        var start = ChangeStreamPosition.Start(token);
        Assert.False(start.Loaded);
        var loading = start with { Load = "{\"zenith\": 2, \"parts\": []}" };
        var stored = loading.ToCheckpoint("fp", 42);
        Assert.Equal("fp", stored.Fingerprint);
        Assert.Equal(42, stored.VersionFloor);
        Assert.StartsWith("initial load", stored.Display, StringComparison.Ordinal);
        Assert.Equal(loading, ChangeStreamPosition.Parse(stored));
        var streaming = loading with { Load = null, EventAt = new BsonTimestamp(1_800_000_001, 3), Ordinal = 4 };
        var parsed = ChangeStreamPosition.Parse(streaming.ToCheckpoint("fp", 42))!;
        Assert.True(parsed.Loaded);
        Assert.Equal(4, parsed.Ordinal);
        Assert.Equal(streaming.EventAt, parsed.EventAt);
        Assert.Null(ChangeStreamPosition.Parse(Checkpoint.Reset("fp", 42)));
    }

    [Fact]
    public void A_change_stream_table_is_replacing_by_version_and_tombstone_with_a_current_rows_view()
    {
        var ddl = Ddl.CreateTable("db", "t", TableSchema.Empty, TableOptions.Default, changeLog: true);
        Assert.Contains("`_zenith_version` UInt128", ddl, StringComparison.Ordinal);
        Assert.Contains("`_zenith_is_deleted` UInt8", ddl, StringComparison.Ordinal);
        Assert.Contains("ENGINE = ReplacingMergeTree(`_zenith_version`, `_zenith_is_deleted`)", ddl, StringComparison.Ordinal);
        Assert.Equal(
            "CREATE OR REPLACE VIEW `db`.`t_current` AS SELECT * EXCEPT (`_zenith_is_deleted`) FROM `db`.`t` FINAL WHERE `_zenith_is_deleted` = 0",
            Ddl.CreateCurrentView("db", "t"));
    }
}
