using System.Buffers;
using MongoDB.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;

namespace Zenith.Core.Tests;

/// <summary>The one checkpoint tracker per mode, alone: positions captured from raw batches, advanced in order, stored as checkpoints.</summary>
public sealed class CheckpointTrackerTests
{
    private static readonly DateTimeOffset RunStart = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly BsonDateTime At = new(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    private static ConnectorSpec Connector(SyncMode mode) => new(
        7, "t", new SourceSpec("mongodb://h/", "db", "c"), new DestinationSpec("http://h:8123", "db", "t"), mode, "t", 100, MappingOptions.Default, TableOptions.Default);

    private static RawDocumentBuffer Batch(params BsonDocument[] documents)
    {
        var batch = new RawDocumentBuffer(256, ArrayPool<byte>.Shared);
        foreach (var document in documents)
        {
            batch.Append(document.ToBson());
        }

        return batch;
    }

    [Fact]
    public void Incremental_id_moves_to_the_last_id_of_the_last_acknowledged_batch()
    {
        var tracker = CheckpointTracker.For(Connector(SyncMode.IncrementalId), null, RunStart);
        using var first = Batch(new BsonDocument("_id", 1), new BsonDocument("_id", 2));
        using var second = Batch(new BsonDocument { { "_id", ObjectId.Parse("650000000000000000000003") }, { "x", 1 } });
        using var empty = Batch();
        var positions = new[] { tracker.Capture(first), tracker.Capture(second) };

        Assert.Null(tracker.Current);
        Assert.Null(tracker.Capture(empty));
        Assert.False(tracker.Advance(null));
        Assert.True(tracker.Advance(positions[0]));
        Assert.Equal(new Checkpoint("""{ "_id" : { "$numberInt" : "2" } }""", "_id > 2"), tracker.Current);
        Assert.True(tracker.Advance(positions[1]));
        Assert.Equal("""_id > { "$oid" : "650000000000000000000003" }""", tracker.Current!.Display);
        Assert.Null(tracker.Complete());

        // What the next run reads from that checkpoint.
        Assert.Equal("""{ "_id" : { "$gt" : { "$oid" : "650000000000000000000003" } } }""", CursorRules.Filter(Connector(SyncMode.IncrementalId), tracker.Current).ToJson());
    }

    [Fact]
    public void Incremental_timestamp_keeps_a_position_per_phase_across_a_batch_that_holds_both_kinds()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp);
        var tracker = CheckpointTracker.For(connector, null, RunStart);
        using var withoutValues = Batch(new BsonDocument("_id", 1), new BsonDocument { { "_id", 2 }, { "t", BsonNull.Value } });
        using var both = Batch(new BsonDocument("_id", 3), new BsonDocument("_id", 4), new BsonDocument { { "_id", 9 }, { "t", At } }, new BsonDocument { { "_id", 5 }, { "t", At } });
        using var values = Batch(new BsonDocument { { "_id", 6 }, { "t", new BsonDateTime(At.ToUniversalTime().AddSeconds(1)) } });

        Assert.True(tracker.Advance(tracker.Capture(withoutValues)));
        Assert.Equal("without t: _id > 2", tracker.Current!.Display);
        Assert.True(tracker.Advance(tracker.Capture(both)));
        Assert.Equal("t ≥ 2024-01-01 00:00:00.000Z, _id > 5; without t: _id > 4", tracker.Current!.Display);
        Assert.True(tracker.Advance(tracker.Capture(values)));
        Assert.Equal("t ≥ 2024-01-01 00:00:01.000Z, _id > 6; without t: _id > 4", tracker.Current!.Display);

        // A later run starts where this one's checkpoint says.
        var resumed = CheckpointTracker.For(connector, tracker.Current, RunStart);
        using var later = Batch(new BsonDocument("_id", 10));
        Assert.True(resumed.Advance(resumed.Capture(later)));
        Assert.Equal("t ≥ 2024-01-01 00:00:01.000Z, _id > 6; without t: _id > 10", resumed.Current!.Display);
    }

    [Fact]
    public void Full_mode_moves_nothing_per_batch_and_a_finished_run_records_when_it_started()
    {
        var tracker = CheckpointTracker.For(Connector(SyncMode.Full), null, RunStart);
        using var batch = Batch(new BsonDocument("_id", 1));
        Assert.Null(tracker.Capture(batch));
        Assert.False(tracker.Advance(null));
        Assert.Null(tracker.Current);
        Assert.Equal(new Checkpoint("""{ "full_sync_at" : { "$date" : { "$numberLong" : "1795428000000" } } }""", "full sync at 2026-11-23 10:00:00Z"), tracker.Complete());
    }

    [Fact]
    public void Capture_reads_only_the_batch_so_workers_may_capture_at_once()
    {
        var tracker = CheckpointTracker.For(Connector(SyncMode.IncrementalId), null, RunStart);
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
}
