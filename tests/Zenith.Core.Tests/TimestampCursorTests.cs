using MongoDB.Bson;
using Zenith.Core.Cursors;

namespace Zenith.Core.Tests;

public sealed class TimestampCursorTests
{
    private static readonly BsonDateTime At = new(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    [Fact]
    public void Before_any_value_the_filter_takes_the_rest_of_the_documents_without_one_then_every_value()
    {
        var cursor = TimestampCursor.Start.Advance("t", new BsonDocument { { "_id", 7 } }, null);
        Assert.Equal("""{ "$or" : [{ "t" : null, "_id" : { "$gt" : 7 } }, { "t" : { "$ne" : null } }] }""", cursor.Filter("t").ToJson());
    }

    [Fact]
    public void Each_phase_keeps_its_position_and_round_trips_through_the_checkpoint()
    {
        var cursor = TimestampCursor.Start
            .Advance("t", new BsonDocument { { "_id", 7 } }, new BsonDocument { { "_id", 3 }, { "t", At } })
            .Advance("t", null, new BsonDocument { { "_id", 1 }, { "t", At } });
        var checkpoint = cursor.ToCheckpoint("t");
        Assert.Equal("t ≥ 2024-01-01 00:00:00.000Z, _id > 1; without t: _id > 7", checkpoint.Display);
        Assert.Equal(cursor, CursorRules.Timestamp(checkpoint));
        Assert.Equal(
            """{ "$or" : [{ "t" : null, "_id" : { "$gt" : 7 } }, { "t" : { "$gt" : { "$date" : "2024-01-01T00:00:00Z" } } }, { "t" : { "$date" : "2024-01-01T00:00:00Z" }, "_id" : { "$gt" : 1 } }] }""",
            cursor.Filter("t").ToJson());
    }

    [Fact]
    public void Checkpoints_of_earlier_versions_are_read()
    {
        // {v, _id}: documents without a value were never copied, so all of them are still to come.
        var typed = TimestampCursor.From(new BsonDocument { { "v", At }, { "_id", 4 } });
        Assert.Equal(new TimestampCursor(null, At, 4), typed);
        // {v: null, _id}: the run stopped among documents whose field was explicitly null.
        var nulls = TimestampCursor.From(new BsonDocument { { "v", BsonNull.Value }, { "_id", 4 } });
        Assert.Equal(new TimestampCursor(4, null, null), nulls);
    }

    [Fact]
    public void A_raw_document_has_a_value_unless_the_field_is_null_or_missing()
    {
        var field = TimestampCursor.FieldBytes("t");
        Assert.True(TimestampCursor.HasValue(new BsonDocument { { "a", 1 }, { "t", At } }.ToBson(), field));
        Assert.False(TimestampCursor.HasValue(new BsonDocument { { "a", 1 }, { "t", BsonNull.Value } }.ToBson(), field));
        Assert.False(TimestampCursor.HasValue(new BsonDocument { { "a", 1 }, { "tt", At } }.ToBson(), field));
    }
}
