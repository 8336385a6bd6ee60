using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using MongoDB.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;

namespace Zenith.Core.Tests;

/// <summary>The checkpoint trackers alone: positions captured from raw batches, advanced in order, stored as checkpoints.</summary>
public sealed class CheckpointTrackerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly BsonDateTime At = new(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    internal static ConnectorSpec Connector(SyncMode mode, string field = "t") => new(
        7, "t", new SourceSpec("mongodb://h/", "db", "c"), new DestinationSpec("http://h:8123", "db", "t"), mode, field, 100, MappingOptions.Default, TableOptions.Default);

    internal static RawDocumentBuffer Batch(params BsonDocument[] documents)
    {
        var batch = new RawDocumentBuffer(256, ArrayPool<byte>.Shared);
        foreach (var document in documents)
        {
            batch.Append(document.ToBson());
        }

        return batch;
    }

    /// <summary>A tracker whose query opened at <see cref="Now"/>, on a clock standing there.</summary>
    internal static ICheckpointTracker Tracker(ConnectorSpec connector, Checkpoint? stored = null, int settleSeconds = 0, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(Now);
        var tracker = CheckpointTracker.For(connector, stored, time.GetUtcNow(), new TrackerSettings(new SettleWindow(TimeSpan.FromSeconds(settleSeconds), TimeSpan.FromDays(1)), time, "fp", 42));
        tracker.QueryOpened(time.GetUtcNow());
        return tracker;
    }

    internal static bool Advance(ICheckpointTracker tracker, params BsonDocument[] documents)
    {
        using var batch = Batch(documents);
        return tracker.Advance(tracker.Capture(batch));
    }

    [Fact]
    public void Incremental_id_moves_to_the_last_id_of_the_last_acknowledged_batch()
    {
        var tracker = Tracker(Connector(SyncMode.IncrementalId));
        using var first = Batch(new BsonDocument("_id", 1), new BsonDocument("_id", 2));
        using var second = Batch(new BsonDocument { { "_id", ObjectId.Parse("650000000000000000000003") }, { "x", 1 } });
        using var empty = Batch();
        var positions = new[] { tracker.Capture(first), tracker.Capture(second) };

        Assert.Null(tracker.Current);
        Assert.Null(tracker.Capture(empty));
        Assert.False(tracker.Advance(null));
        Assert.True(tracker.Advance(positions[0]));
        Assert.Equal("_id > 2", tracker.Current!.Display);
        Assert.Equal("fp", tracker.Current.Fingerprint);
        Assert.Equal(42, tracker.Current.VersionFloor);
        Assert.True(tracker.Advance(positions[1]));
        Assert.Equal("""_id > 2; _id > { "$oid" : "650000000000000000000003" }""", tracker.Current!.Display);
        Assert.Null(tracker.Complete());

        // What the next run reads: the rest of both brackets, and every bracket not seen yet.
        Assert.Equal(
            """{ "$or" : [{ "_id" : { "$gt" : 2 } }, { "_id" : { "$gt" : { "$oid" : "650000000000000000000003" } } }, { "_id" : { "$type" : ["minKey", "null", "string", "symbol", "object", "binData", "bool", "date", "timestamp", "dbPointer", "javascript", "javascriptWithScope", "maxKey"] } }] }""",
            CursorRules.Filter(Connector(SyncMode.IncrementalId), tracker.Current).ToJson());
    }

    [Fact]
    public void Incremental_timestamp_keeps_a_position_per_bracket_and_per_id_bracket_among_documents_without_a_value()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp);
        var tracker = Tracker(connector);
        Assert.True(Advance(tracker, new BsonDocument("_id", 1), new BsonDocument { { "_id", 2 }, { "t", BsonNull.Value } }));
        Assert.Equal("without t: _id > 2", tracker.Current!.Display);
        Assert.True(Advance(tracker, new BsonDocument("_id", 3), new BsonDocument("_id", "s"), new BsonDocument { { "_id", 9 }, { "t", At } }, new BsonDocument { { "_id", 5 }, { "t", At } }));
        Assert.Equal("t ≥ 2024-01-01 00:00:00.000Z, _id > 5; without t: _id > 3; without t: _id > \"s\"", tracker.Current!.Display);
        Assert.True(Advance(tracker, new BsonDocument { { "_id", 6 }, { "t", "text" } }));

        var resumed = Tracker(connector, tracker.Current);
        Assert.True(Advance(resumed, new BsonDocument("_id", 10)));
        Assert.Equal("t ≥ \"text\", _id > 6; t ≥ 2024-01-01 00:00:00.000Z, _id > 5; without t: _id > 10; without t: _id > \"s\"", resumed.Current!.Display);
    }

    [Fact]
    public void A_key_with_a_time_settles_when_its_time_is_the_window_before_the_query_opened()
    {
        var connector = Connector(SyncMode.IncrementalId);
        var tracker = Tracker(connector, settleSeconds: 5);
        var settled = ObjectId.GenerateNewId(Now.AddSeconds(-6).UtcDateTime);
        // An ObjectId counts from the end of its second: made 5 s before, it could be 4.001 s old.
        var borderline = ObjectId.GenerateNewId(Now.AddSeconds(-5).UtcDateTime);
        var fresh = ObjectId.GenerateNewId(Now.AddSeconds(-1).UtcDateTime);

        Assert.True(Advance(tracker, new BsonDocument("_id", settled), new BsonDocument("_id", borderline), new BsonDocument("_id", fresh)));
        Assert.Equal($$"""_id > { "$oid" : "{{settled}}" }""", tracker.Current!.Display);
        Assert.False(Advance(tracker, new BsonDocument("_id", ObjectId.GenerateNewId(Now.UtcDateTime))));
        Assert.Equal(new TrackerFindings(0, 0), tracker.Findings);
    }

    [Fact]
    public void Dates_beyond_the_tolerance_are_counted_and_never_move_the_checkpoint()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp);
        var tracker = Tracker(connector, settleSeconds: 5);
        var old = new BsonDateTime(Now.AddMinutes(-1).UtcDateTime);
        var future = new BsonDateTime(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.True(Advance(tracker, new BsonDocument { { "_id", 1 }, { "t", old } }, new BsonDocument { { "_id", 2 }, { "t", future } }));
        Assert.StartsWith("t ≥ 2026-11-23 09:59:00.000Z, _id > 1", tracker.Current!.Display, StringComparison.Ordinal);
        Assert.Equal(new TrackerFindings(1, 0), tracker.Findings);

        // No settle window holds nothing back, but a far-future value still never holds the checkpoint.
        var eager = Tracker(connector, settleSeconds: 0);
        Assert.True(Advance(eager, new BsonDocument { { "_id", 1 }, { "t", old } }, new BsonDocument { { "_id", 2 }, { "t", future } }));
        Assert.StartsWith("t ≥ 2026-11-23 09:59:00.000Z, _id > 1", eager.Current!.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void An_array_cursor_value_is_counted_and_holds_no_position()
    {
        var tracker = Tracker(Connector(SyncMode.IncrementalTimestamp, "meta.t"));
        Assert.False(Advance(tracker, new BsonDocument { { "_id", 1 }, { "meta", new BsonArray { new BsonDocument("t", At) } } }));
        Assert.True(Advance(tracker, new BsonDocument { { "_id", 2 }, { "meta", new BsonDocument("t", new BsonArray { At }) } }, new BsonDocument { { "_id", 3 }, { "meta", new BsonDocument("t", At) } }));
        Assert.Equal("meta.t ≥ 2024-01-01 00:00:00.000Z, _id > 3", tracker.Current!.Display);
        Assert.Equal(new TrackerFindings(0, 2), tracker.Findings);
    }

    [Fact]
    public void Keys_without_a_time_settle_once_a_later_run_re_reads_them_after_the_window()
    {
        var connector = Connector(SyncMode.IncrementalId);
        var time = new FakeTimeProvider(Now);
        var first = Tracker(connector, settleSeconds: 5, time: time);
        Assert.True(Advance(first, new BsonDocument("_id", 1), new BsonDocument("_id", 2)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Advance(first, new BsonDocument("_id", 3), new BsonDocument("_id", 4)));
        Assert.Null(first.Complete());
        Assert.Equal("nothing settled yet: the next run reads everything again", first.Current!.Display);

        // Opened 2 s later: the marks are too young; the run reads them again and moves nothing.
        time.Advance(TimeSpan.FromSeconds(2));
        var early = Tracker(connector, first.Current, settleSeconds: 5, time: time);
        Assert.Equal("{ }", CursorRules.Filter(connector, first.Current).ToJson());
        Assert.False(Advance(early, new BsonDocument("_id", 1), new BsonDocument("_id", 2), new BsonDocument("_id", 3), new BsonDocument("_id", 4)));
        Assert.Null(early.Complete());

        // Opened after the window: meeting a mark's key again moves the position to it; reading to the end (document 4 is gone),
        // to the newest settled one.
        time.Advance(TimeSpan.FromSeconds(10));
        var later = Tracker(connector, first.Current, settleSeconds: 5, time: time);
        Assert.True(Advance(later, new BsonDocument("_id", 1), new BsonDocument("_id", 2)));
        Assert.Equal("_id > 2", later.Current!.Display);
        Assert.False(Advance(later, new BsonDocument("_id", 3)));
        Assert.NotNull(later.Complete());
        Assert.Equal("_id > 4", later.Current!.Display);
    }

    [Fact]
    public void Without_a_settle_window_keys_without_a_time_settle_at_once()
    {
        var tracker = Tracker(Connector(SyncMode.IncrementalId), settleSeconds: 0);
        Assert.True(Advance(tracker, new BsonDocument("_id", "a"), new BsonDocument("_id", "b")));
        Assert.Equal("_id > \"b\"", tracker.Current!.Display);
        Assert.DoesNotContain("marks", tracker.Current.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_mode_moves_nothing_per_batch_and_a_finished_run_records_when_it_started()
    {
        var tracker = Tracker(Connector(SyncMode.Full));
        using var batch = Batch(new BsonDocument("_id", 1));
        Assert.Null(tracker.Capture(batch));
        Assert.False(tracker.Advance(null));
        Assert.Null(tracker.Current);
        Assert.Equal(
            new Checkpoint("""{ "zenith" : { "$numberInt" : "2" }, "full_sync_at" : { "$date" : { "$numberLong" : "1795428000000" } } }""", "full sync at 2026-11-23 10:00:00Z", "fp", 42),
            tracker.Complete());
    }

    [Fact]
    public void Capture_reads_only_the_batch_so_workers_may_capture_at_once()
    {
        var tracker = Tracker(Connector(SyncMode.IncrementalId));
        var batches = Enumerable.Range(0, 64).Select(i => Batch(new BsonDocument("_id", i))).ToArray();
        try
        {
            var positions = batches.AsParallel().AsOrdered().Select(tracker.Capture).ToArray();
            foreach (var position in positions)
            {
                tracker.Advance(position);
            }

            Assert.Equal("_id > 63", tracker.Current!.Display);
        }
        finally
        {
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    [Fact]
    public void Capture_before_the_query_opened_is_a_bug()
    {
        var connector = Connector(SyncMode.IncrementalId);
        var time = new FakeTimeProvider(Now);
        var tracker = CheckpointTracker.For(connector, null, Now, new TrackerSettings(new SettleWindow(TimeSpan.Zero, TimeSpan.FromDays(1)), time));
        using var batch = Batch(new BsonDocument("_id", 1));
        Assert.Throws<InvalidOperationException>(() => tracker.Capture(batch));
    }
}
