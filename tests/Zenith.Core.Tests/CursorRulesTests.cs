using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using static Zenith.Core.Tests.CheckpointTrackerTests;

namespace Zenith.Core.Tests;

/// <summary>What a run reads after a checkpoint, in MongoDB's cross-type order; dotted paths; checkpoints of earlier versions.</summary>
public sealed class CursorRulesTests
{
    private static readonly BsonDateTime At = new(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson };

    private static Checkpoint Old(BsonDocument value) => new(value.ToJson(Canonical), "old");

    [Fact]
    public void Brackets_follow_mongodb_sort_order_and_numbers_strings_and_missing_share_theirs()
    {
        // The order of the MongoDB manual's "Comparison/Sort Order" page, with mongod's undefined and DBPointer, JavaScript.
        Assert.Equal(
            ["minKey", "undefined", "null", "number", "string", "object", "array", "binData", "objectId", "bool", "date", "timestamp", "regex", "dbPointer", "javascript", "javascriptWithScope", "maxKey"],
            TypeBrackets.InOrder.Select(b => b.Name()));
        Assert.Equal(TypeBracket.Number, TypeBrackets.Of(new BsonInt32(1)));
        Assert.Equal(TypeBracket.Number, TypeBrackets.Of(new BsonDouble(1.0)));
        Assert.Equal(TypeBracket.Number, TypeBrackets.Of(new BsonDecimal128(Decimal128.Parse("1"))));
        Assert.Equal(TypeBracket.String, TypeBrackets.Of((BsonSymbol)"s"));
        Assert.Equal(TypeBracket.Null, TypeBrackets.Of(0));
        Assert.Equal(TypeBracket.MaxKey, TypeBrackets.Of(BsonMaxKey.Value));
        Assert.True(TypeBracket.Null.IsSingleValued());
        Assert.False(TypeBracket.Boolean.IsSingleValued());
    }

    [Theory]
    [InlineData("""{ "meta" : { "t" : 5 } }""", CursorValueKind.Value, TypeBracket.Number)]
    [InlineData("""{ "meta" : { "u" : 5 } }""", CursorValueKind.Missing, TypeBracket.Null)]
    [InlineData("""{ "meta" : "scalar" }""", CursorValueKind.Missing, TypeBracket.Null)]
    [InlineData("""{ "meta" : { "t" : null } }""", CursorValueKind.Value, TypeBracket.Null)]
    [InlineData("""{ "meta" : [{ "t" : 5 }] }""", CursorValueKind.Array, TypeBracket.Array)]
    [InlineData("""{ "meta" : { "t" : [5] } }""", CursorValueKind.Array, TypeBracket.Array)]
    [InlineData("""{ "meta.t" : 5 }""", CursorValueKind.Missing, TypeBracket.Null)]
    public void A_dotted_path_resolves_as_a_mongodb_sort_key(string json, CursorValueKind kind, TypeBracket bracket)
    {
        var value = new CursorPath("meta.t").Resolve(BsonDocument.Parse(json).ToBson());
        Assert.Equal(kind, value.Kind);
        Assert.Equal(bracket, value.Bracket);
    }

    [Fact]
    public void A_timestamp_cursor_reads_the_rest_of_each_bracket_ties_by_id_across_types_and_every_unseen_bracket()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp);
        var tracker = Tracker(connector);
        Assert.True(Advance(tracker, new BsonDocument("_id", 7), new BsonDocument { { "_id", 3 }, { "t", At } }));
        Assert.Equal(
            """{ "$or" : [{ "t" : null, "_id" : { "$gt" : 7 } }, { "t" : null, "_id" : { "$type" : ["minKey", "null", "string", "symbol", "object", "binData", "objectId", "bool", "date", "timestamp", "dbPointer", "javascript", "javascriptWithScope", "maxKey"] } }, """ +
            """{ "t" : { "$gt" : { "$date" : "2024-01-01T00:00:00Z" } } }, { "t" : { "$eq" : { "$date" : "2024-01-01T00:00:00Z" } }, "_id" : { "$gt" : 3 } }, """ +
            """{ "t" : { "$eq" : { "$date" : "2024-01-01T00:00:00Z" } }, "_id" : { "$type" : ["string", "symbol", "object", "binData", "objectId", "bool", "date", "timestamp", "dbPointer", "javascript", "javascriptWithScope", "maxKey"] } }, """ +
            """{ "t" : { "$type" : ["minKey", "undefined", "number", "string", "symbol", "object", "binData", "objectId", "bool", "timestamp", "regex", "dbPointer", "javascript", "javascriptWithScope", "maxKey"] } }] }""",
            CursorRules.Filter(connector, tracker.Current).ToJson());
        Assert.StartsWith(
            """{ "$and" : [{ "org" : 5 }, { "$or" : [{ "t" : null }, { "t" : { "$gt" : { "$date" : "2024-01-01T00:00:00Z" } } }""",
            CursorRules.Filter(connector with { Source = connector.Source with { Filter = """{"org": 5}""" } }, Last(connector, At, 9)).ToJson(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_nan_position_reads_every_other_number()
    {
        var connector = Connector(SyncMode.IncrementalId);
        var tracker = Tracker(connector);
        Assert.True(Advance(tracker, new BsonDocument("_id", double.NaN)));
        Assert.StartsWith("""{ "$or" : [{ "_id" : { "$gte" : { "$numberDouble" : "-Infinity" } } }""", CursorRules.Filter(connector, tracker.Current).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_checkpoint_everything_is_read_and_the_users_filter_alone_applies()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp);
        Assert.Equal("{ }", CursorRules.Filter(connector, null).ToJson());
        Assert.Equal("{ }", CursorRules.Filter(connector, Checkpoint.Reset("fp", 9)).ToJson());
        Assert.Equal("""{ "org" : 5 }""", CursorRules.Filter(connector with { Source = connector.Source with { Filter = """{"org": 5}""" } }, null).ToJson());
    }

    [Fact]
    public void Checkpoints_of_earlier_versions_resume_where_they_were()
    {
        var ids = Connector(SyncMode.IncrementalId);
        Assert.Equal("""{ "$or" : [{ "_id" : { "$gt" : 41 } }, { "_id" : { "$type" : ["minKey", "null", "string", "symbol", "object", "binData", "objectId", "bool", "date", "timestamp", "dbPointer", "javascript", "javascriptWithScope", "maxKey"] } }] }""",
            CursorRules.Filter(ids, Old(new BsonDocument("_id", 41))).ToJson());

        var times = Connector(SyncMode.IncrementalTimestamp);

        // {v, _id}: documents without a value were never copied, so all of them are still to come.
        var typed = CursorState.Parse(SyncMode.IncrementalTimestamp, Old(new BsonDocument { { "v", At }, { "_id", 4 } }));
        Assert.Equal(new CursorPart(new PartKey(TypeBracket.Date, null), At, 4, []), Assert.Single(typed.Parts));
        Assert.Contains("""{ "t" : null }""", CursorRules.Filter(times, Old(new BsonDocument { { "v", At }, { "_id", 4 } })).ToJson(), StringComparison.Ordinal);

        // {v: null, _id}: the run stopped among documents whose field was null; {v, _id, null_id}: both.
        var nulls = CursorState.Parse(SyncMode.IncrementalTimestamp, Old(new BsonDocument { { "v", BsonNull.Value }, { "_id", 4 } }));
        Assert.Equal(new PartKey(TypeBracket.Null, TypeBracket.Number), Assert.Single(nulls.Parts).Key);
        var both = CursorState.Parse(SyncMode.IncrementalTimestamp, Old(new BsonDocument { { "v", At }, { "_id", 4 }, { "null_id", "x" } }));
        Assert.Equal([new PartKey(TypeBracket.Null, TypeBracket.String), new PartKey(TypeBracket.Date, null)], both.Parts.Select(p => p.Key));

        // A full run's checkpoint means nothing to an incremental mode (edited without a reset): it starts from the beginning.
        Assert.Empty(CursorState.Parse(SyncMode.IncrementalId, Old(new BsonDocument("full_sync_at", At))).Parts);
        Assert.Equal(At.ToUniversalTime(), CursorState.Parse(SyncMode.Full, Old(new BsonDocument("full_sync_at", At))).FullSyncAt!.Value.UtcDateTime);
    }

    [Fact]
    public void A_projection_always_keeps_the_cursor_field_without_colliding_paths()
    {
        var connector = Connector(SyncMode.IncrementalTimestamp, "meta.t");
        string? Of(string projection) => CursorRules.Projection(connector with { Source = connector.Source with { Projection = projection } })?.ToJson();
        Assert.Equal("""{ "a" : 1, "meta.t" : 1 }""", Of("""{"a": 1, "_id": 1}"""));
        Assert.Equal("""{ "meta" : 1 }""", Of("""{"meta": 1}"""));
        Assert.Equal("""{ "b" : 0 }""", Of("""{"meta": 0, "b": 0}"""));
        Assert.Null(Of("""{"meta.t": 0}"""));
    }

    private static Checkpoint Last(ConnectorSpec connector, BsonValue value, BsonValue id)
    {
        var tracker = Tracker(connector);
        Advance(tracker, new BsonDocument { { "_id", id }, { "t", value } });
        return tracker.Current!;
    }
}
