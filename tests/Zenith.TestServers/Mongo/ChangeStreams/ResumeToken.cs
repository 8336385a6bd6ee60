using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.ChangeStreams;

/// <summary>
/// A change stream resume token, <c>{_data: "82…"}</c>. As in mongod's KeyString tokens the hex starts
/// with 0x82 and the event's cluster time (seconds, increment; big-endian), so tools that read the
/// time from a token keep working; the rest identifies the event (its oplog position, index in a
/// transaction, collection and document key) and is opaque, as MongoDB documents tokens to be.
/// A high-water-mark token (a postBatchResumeToken with no event) holds a time and a position only.
/// </summary>
internal sealed record ResumeToken(long Ts, bool IsHighWaterMark, long Sequence, int TxnOpIndex, bool FromInvalidate, Guid? Uuid, BsonValue? EventId)
{
    private const byte TimestampType = 0x82;

    public static ResumeToken HighWaterMark(long ts, long nextSequence) => new(ts, true, nextSequence, 0, false, null, null);

    public BsonDocument ToDocument()
    {
        var payload = new BsonDocument
        {
            { "v", 2 },
            { "t", IsHighWaterMark ? 0 : 128 },
            { "s", Sequence },
            { "i", TxnOpIndex },
            { "x", FromInvalidate },
        };
        if (Uuid is { } uuid)
        {
            payload["u"] = new BsonBinaryData(uuid, GuidRepresentation.Standard);
        }
        if (EventId is not null)
        {
            payload["k"] = EventId;
        }
        var bytes = payload.ToBson();
        var data = new byte[9 + bytes.Length];
        data[0] = TimestampType;
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(1), (ulong)Ts);
        bytes.CopyTo(data, 9);
        return new BsonDocument("_data", Convert.ToHexString(data));
    }

    /// <summary>Reads a token a client sent back; anything this server did not make is InvalidResumeToken (260).</summary>
    public static ResumeToken Parse(BsonValue value)
    {
        try
        {
            var hex = value is BsonDocument { ElementCount: 1 } d && d.GetValue("_data", BsonNull.Value) is BsonString s
                ? s.Value
                : throw Invalid("resume token must be a document with a string '_data' field");
            var data = Convert.FromHexString(hex);
            if (data.Length < 14 || data[0] != TimestampType)
            {
                throw Invalid("resume token was not created by this server");
            }
            var ts = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(1));
            var payload = BsonSerializer.Deserialize<BsonDocument>(data.AsSpan(9).ToArray());
            return new ResumeToken(
                ts,
                payload["t"].ToInt32() == 0,
                payload["s"].ToInt64(),
                payload["i"].ToInt32(),
                payload["x"].ToBoolean(),
                payload.TryGetValue("u", out var u) ? u.AsBsonBinaryData.ToGuid(GuidRepresentation.Standard) : null,
                payload.TryGetValue("k", out var k) ? k : null);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidCastException or EndOfStreamException or BsonSerializationException)
        {
            throw Invalid($"could not parse the resume token: {e.Message}");
        }
    }

    private static CommandException Invalid(string message) => new(260, "InvalidResumeToken", message);
}
