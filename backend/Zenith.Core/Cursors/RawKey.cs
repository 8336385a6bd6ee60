using MongoDB.Bson;
using Zenith.Core.Bson;

namespace Zenith.Core.Cursors;

/// <summary>A key value as BSON lays it out (type byte and value bytes): compared byte for byte with what a run reads.</summary>
internal readonly record struct RawKey(byte Type, byte[] Bytes)
{
    public static RawKey? Of(BsonValue? value)
    {
        if (value is null)
        {
            return null;
        }

        var raw = new BsonDocument("v", value).ToBson();
        var reader = new BsonElementReader(raw);
        reader.MoveNext();
        return new RawKey(raw[4], reader.Current.Value.ToArray());
    }

    public bool Matches(byte type, ReadOnlySpan<byte> value) => type == Type && value.SequenceEqual(Bytes);
}
