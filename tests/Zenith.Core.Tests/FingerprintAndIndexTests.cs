using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Inserts;
using static Zenith.Core.Tests.CheckpointTrackerTests;

namespace Zenith.Core.Tests;

/// <summary>What ties a checkpoint to its definition, which index a mode needs, and versions that never go back.</summary>
public sealed class FingerprintAndIndexTests
{
    [Fact]
    public void The_fingerprint_changes_with_what_a_position_means_and_only_with_that()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp) with { Source = new SourceSpec("mongodb://a/", "db", "c", """{"org": 5}""") };
        var fingerprint = CheckpointFingerprint.Of(connector);
        Assert.Equal(fingerprint, CheckpointFingerprint.Of(connector with { Name = "renamed", BatchSize = 7, SettleSeconds = 60, Source = connector.Source with { Uri = "mongodb://b/", Filter = """{ "org" :5 }""" } }));
        Assert.Empty(CheckpointFingerprint.Changes(connector, connector with { Destination = connector.Destination with { Uri = "http://other:8123" } }));

        Assert.Equal(["mode"], CheckpointFingerprint.Changes(Connector(SyncMode.IncrementalId), Connector(SyncMode.Full)));
        Assert.Empty(CheckpointFingerprint.Changes(Connector(SyncMode.IncrementalId), Connector(SyncMode.IncrementalId, "other")));
        Assert.Equal(["cursor field"], CheckpointFingerprint.Changes(connector, connector with { CursorField = "x" }));
        Assert.Equal(["filter", "destination table"], CheckpointFingerprint.Changes(connector, connector with { Source = connector.Source with { Filter = null }, Destination = connector.Destination with { Table = "t2" } }));
        Assert.Equal(["projection"], CheckpointFingerprint.Changes(connector, connector with { Source = connector.Source with { Projection = """{"a": 1}""" } }));
        Assert.NotEqual(fingerprint, CheckpointFingerprint.Of(connector with { Source = connector.Source with { Collection = "d" } }));
    }

    [Fact]
    public void Incremental_timestamp_needs_an_index_on_the_field_then_id_and_says_which_to_create()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp, "meta.t") with { Source = new SourceSpec("mongodb://a/", "db", "events", """{"org": 5, "n": {"$gt": 1}}""") };
        static BsonDocument Index(BsonDocument key, BsonDocument? options = null) => new BsonDocument { { "v", 2 }, { "key", key }, { "name", "i" } }.AddRange(options ?? []);
        var idOnly = new[] { Index(new BsonDocument("_id", 1)) };

        Assert.Null(IndexAdvice.MissingIndex(Connector(SyncMode.IncrementalId), idOnly));
        Assert.Null(IndexAdvice.MissingIndex(Connector(SyncMode.Full), []));
        Assert.Equal(
            """No index gives incremental_timestamp's order (meta.t, _id): every run scans and sorts the whole collection in memory, and a document updated during that scan is only seen again by the next run. Create it: db.getCollection("events").createIndex({ "meta.t": 1, "_id": 1 })""",
            IndexAdvice.MissingIndex(connector, idOnly));
        Assert.Null(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", 1 }, { "_id", 1 } })]));
        Assert.Null(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", -1 }, { "_id", -1 }, { "x", 1 } })]));
        Assert.Null(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "org", 1 }, { "meta.t", 1 }, { "_id", 1 } })]));

        // Orders that do not give (field, _id), or indexes that leave documents out.
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument("meta.t", 1))]));
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", 1 }, { "_id", -1 } })]));
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "n", 1 }, { "meta.t", 1 }, { "_id", 1 } })]));
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", 1 }, { "_id", 1 } }, new BsonDocument("sparse", true))]));
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", 1 }, { "_id", 1 } }, new BsonDocument("partialFilterExpression", new BsonDocument("org", 5)))]));
        Assert.NotNull(IndexAdvice.MissingIndex(connector, [Index(new BsonDocument { { "meta.t", 1 }, { "_id", 1 } }, new BsonDocument("collation", new BsonDocument("locale", "fr")))]));
    }

    [Fact]
    public void A_run_never_writes_versions_below_the_floor_stored_before_it()
    {
        Assert.Equal(1_000, RowVersions.Base(1_000, 10));
        // The clock stepped back an hour: the run still writes above the last one.
        Assert.Equal(5_000_001, RowVersions.Base(5_000_000 - 3_600_000, 5_000_000));
    }
}
