using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization.Serializers;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// The BSON values whose <c>_id</c> text could be a given text (of a given bracket when the table knows it), to ask MongoDB
/// again about a row it had no document for. The answer is checked by encoding the ids found, so a candidate too many is
/// harmless; a value that cannot be rebuilt from its text (binary of an unknown subtype…) is tried under every subtype.
/// </summary>
internal static class IdCandidates
{
    private static readonly byte[] BinarySubtypes = [0, 1, 2, 3, 5, 6, 7, 8, 0x80];

    public static IEnumerable<BsonValue> From(byte[] textBytes, IdBracket? bracket)
    {
        var text = Encoding.UTF8.GetString(textBytes);
        bool May(IdBracket b) => bracket is null || bracket.Value.Value == b.Value;
        if (May(IdBracket.String))
        {
            yield return new BsonString(text);
        }

        if (May(IdBracket.ObjectId) && text.Length == 24 && ObjectId.TryParse(text, out var oid))
        {
            yield return oid;
        }

        if (May(IdBracket.Number))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                yield return new BsonInt64(l);
            }

            if (Double(text) is { } d)
            {
                yield return new BsonDouble(d);
            }

            if (Decimal128.TryParse(text, out var dec))
            {
                yield return new BsonDecimal128(dec);
            }
        }

        if (May(IdBracket.Date) && DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            yield return new BsonDateTime(date);
        }

        if (May(IdBracket.Boolean) && text is "true" or "false")
        {
            yield return (BsonBoolean)(text == "true");
        }

        if (May(IdBracket.Timestamp) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ts))
        {
            yield return new BsonTimestamp((long)ts);
        }

        if (May(IdBracket.Binary))
        {
            if (Guid.TryParseExact(text, "D", out var guid))
            {
                yield return new BsonBinaryData(guid, GuidRepresentation.Standard);
            }

            var data = new byte[text.Length];
            if (Convert.TryFromBase64String(text, data, out var written))
            {
                // UUID subtypes (3, 4) hold exactly 16 bytes.
                foreach (var subtype in BinarySubtypes.Where(t => t != 3 || written == 16))
                {
                    yield return new BsonBinaryData(data[..written], (BsonBinarySubType)subtype);
                }
            }
        }

        if (text.StartsWith('{') && Json(text) is { } json)
        {
            yield return json;
        }
    }

    private static double? Double(string text) => text switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
    };

    private static BsonValue? Json(string text)
    {
        try
        {
            using var reader = new JsonReader(text);
            return BsonValueSerializer.Instance.Deserialize(MongoDB.Bson.Serialization.BsonDeserializationContext.CreateRoot(reader), default);
        }
        catch (Exception e) when (e is FormatException or BsonSerializationException or InvalidOperationException or EndOfStreamException)
        {
            return null;
        }
    }
}
