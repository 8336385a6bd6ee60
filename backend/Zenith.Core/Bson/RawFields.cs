using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Zenith.Core.Bson;

/// <summary>Reads single fields out of raw documents as BSON values, decoding only that field (positions need a few per batch).</summary>
public static class RawFields
{
    /// <summary>The value of the top-level field <paramref name="name"/> (a copy, safe to keep), or null when the document has none.</summary>
    public static BsonValue? Get(ReadOnlySpan<byte> document, ReadOnlySpan<byte> name)
    {
        var reader = new BsonElementReader(document);
        var elementStart = 4;
        while (reader.MoveNext())
        {
            var element = reader.Current;
            var start = elementStart;
            elementStart = element.ValueOffset + element.Value.Length;
            if (!element.Name.SequenceEqual(name))
            {
                continue;
            }

            // The element alone, as a document of one field: the driver's own decoder reads it.
            var single = new byte[elementStart - start + 5];
            BinaryPrimitives.WriteInt32LittleEndian(single, single.Length);
            document[start..elementStart].CopyTo(single.AsSpan(4));
            return BsonSerializer.Deserialize<BsonDocument>(single)[0];
        }

        return null;
    }

    public static BsonValue? Get(ReadOnlySpan<byte> document, string name) => Get(document, System.Text.Encoding.UTF8.GetBytes(name));

    /// <summary>A value from its type byte and raw bytes (a copy, safe to keep), decoded by the driver.</summary>
    public static BsonValue ToValue(byte type, ReadOnlySpan<byte> value)
    {
        // A document of one element named "v": length, type, "v\0", the value, the terminator.
        var single = new byte[4 + 1 + 2 + value.Length + 1];
        BinaryPrimitives.WriteInt32LittleEndian(single, single.Length);
        single[4] = type;
        single[5] = (byte)'v';
        value.CopyTo(single.AsSpan(7));
        return BsonSerializer.Deserialize<BsonDocument>(single)[0];
    }
}
