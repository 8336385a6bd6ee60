using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Zenith.Core.Bson;

namespace Zenith.Core.Mapping;

/// <summary>
/// MongoDB's relaxed extended JSON of raw BSON values (what a String column holds for documents, arrays and the rare types),
/// written straight from the bytes with a <see cref="Utf8JsonWriter"/>: numbers, dates, ObjectIds and binary subtypes are
/// formatted on the stack, nothing is allocated per value.
/// </summary>
internal static class ExtendedJson
{
    private static void WriteDocument(Utf8JsonWriter json, ReadOnlySpan<byte> document, bool isArray, bool escapeKeys)
    {
        var reader = new BsonElementReader(document);
        if (isArray)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartObject();
        }

        while (reader.MoveNext())
        {
            var element = reader.Current;
            if (!isArray)
            {
                WriteName(json, element.Name, escapeKeys);
            }

            WriteValue(json, element, escapeKeys);
        }

        if (isArray)
        {
            json.WriteEndArray();
        }
        else
        {
            json.WriteEndObject();
        }
    }

    /// <summary>One value, documents and arrays included, in MongoDB's relaxed extended JSON.</summary>
    /// <param name="escapeKeys">
    /// For ClickHouse's <c>JSON</c> type: '%' in keys is written <c>%25</c>, so the server's own escaping of '.' (<c>%2E</c>, with
    /// <c>json_type_escape_dots_in_keys</c>) reads back unambiguously: a key is the text with <c>%2E</c> → '.', then <c>%25</c> → '%'.
    /// </param>
    public static void WriteValue(Utf8JsonWriter json, RawElement element, bool escapeKeys = false)
    {
        var value = element.Value;
        switch (element.Type)
        {
            case BsonTypeCode.Document:
                WriteDocument(json, value, isArray: false, escapeKeys);
                break;
            case BsonTypeCode.Array:
                WriteDocument(json, value, isArray: true, escapeKeys);
                break;
            case BsonTypeCode.String:
                json.WriteStringValue(element.StringBytes);
                break;
            case BsonTypeCode.Int32:
                json.WriteNumberValue(element.Int32Value);
                break;
            case BsonTypeCode.Int64:
                json.WriteNumberValue(element.Int64Value);
                break;
            case BsonTypeCode.Double:
                var d = element.DoubleValue;
                if (double.IsFinite(d))
                {
                    Span<byte> buffer = stackalloc byte[40];
                    json.WriteRawValue(buffer[..BsonText.FormatDouble(d, buffer, json: true)], skipInputValidation: true);
                }
                else
                {
                    Wrap(json, "$numberDouble"u8, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                }

                break;
            case BsonTypeCode.Boolean:
                json.WriteBooleanValue(element.BooleanValue);
                break;
            case BsonTypeCode.Null:
                json.WriteNullValue();
                break;
            case BsonTypeCode.Undefined:
                json.WriteStartObject();
                json.WriteBoolean("$undefined"u8, true);
                json.WriteEndObject();
                break;
            case BsonTypeCode.ObjectId:
                Span<byte> hex = stackalloc byte[24];
                BsonText.WriteHex(value, hex);
                json.WriteStartObject();
                json.WriteString("$oid"u8, hex);
                json.WriteEndObject();
                break;
            case BsonTypeCode.DateTime:
                var ms = element.Int64Value;
                json.WriteStartObject();
                if (ms is >= 0 and <= 253_402_300_799_999)
                {
                    Span<byte> date = stackalloc byte[32];
                    DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.TryFormat(date, out var dateLength, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                    json.WriteString("$date"u8, date[..dateLength]);
                }
                else
                {
                    json.WritePropertyName("$date"u8);
                    Wrap(json, "$numberLong"u8, ms.ToString(CultureInfo.InvariantCulture));
                }

                json.WriteEndObject();
                break;
            case BsonTypeCode.Decimal128:
                Wrap(json, "$numberDecimal"u8, BsonText.DecimalText(value));
                break;
            case BsonTypeCode.Timestamp:
                var ts = (ulong)element.Int64Value;
                json.WriteStartObject();
                json.WriteStartObject("$timestamp"u8);
                json.WriteNumber("t"u8, (uint)(ts >> 32));
                json.WriteNumber("i"u8, (uint)ts);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case BsonTypeCode.Binary:
                json.WriteStartObject();
                json.WriteStartObject("$binary"u8);
                json.WriteBase64String("base64"u8, value[5..]);
                Span<byte> subType = stackalloc byte[2];
                BsonText.WriteHex(value.Slice(4, 1), subType);
                json.WriteString("subType"u8, subType);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case BsonTypeCode.Regex:
                var end = value.IndexOf((byte)0);
                json.WriteStartObject();
                json.WriteStartObject("$regularExpression"u8);
                json.WriteString("pattern"u8, value[..end]);
                json.WriteString("options"u8, value[(end + 1)..^1]);
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case BsonTypeCode.JavaScript:
                json.WriteStartObject();
                json.WriteString("$code"u8, element.StringBytes);
                json.WriteEndObject();
                break;
            case BsonTypeCode.Symbol:
                json.WriteStartObject();
                json.WriteString("$symbol"u8, element.StringBytes);
                json.WriteEndObject();
                break;
            case BsonTypeCode.JavaScriptWithScope:
                var codeLength = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
                json.WriteStartObject();
                json.WriteString("$code"u8, value.Slice(8, codeLength - 1));
                json.WritePropertyName("$scope"u8);
                WriteDocument(json, value[(8 + codeLength)..], isArray: false, escapeKeys: false);
                json.WriteEndObject();
                break;
            case BsonTypeCode.DbPointer:
                var refLength = BinaryPrimitives.ReadInt32LittleEndian(value);
                json.WriteStartObject();
                json.WriteStartObject("$dbPointer"u8);
                json.WriteString("$ref"u8, value.Slice(4, refLength - 1));
                json.WritePropertyName("$id"u8);
                Span<byte> refHex = stackalloc byte[24];
                BsonText.WriteHex(value[(4 + refLength)..], refHex);
                json.WriteStartObject();
                json.WriteString("$oid"u8, refHex);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case BsonTypeCode.MinKey:
                json.WriteStartObject();
                json.WriteNumber("$minKey"u8, 1);
                json.WriteEndObject();
                break;
            case BsonTypeCode.MaxKey:
                json.WriteStartObject();
                json.WriteNumber("$maxKey"u8, 1);
                json.WriteEndObject();
                break;
            default:
                throw new FormatException($"unknown BSON element type 0x{element.Type:X2}");
        }
    }

    /// <summary>A property name, '%' escaped as <c>%25</c> when <paramref name="escape"/> is set (see <see cref="WriteValue"/>).</summary>
    public static void WriteName(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool escape)
    {
        if (!escape || name.IndexOf((byte)'%') < 0)
        {
            json.WritePropertyName(name);
            return;
        }

        Span<byte> escaped = name.Length <= 256 ? stackalloc byte[name.Length * 3] : new byte[name.Length * 3];
        var length = 0;
        foreach (var b in name)
        {
            escaped[length++] = b;
            if (b == (byte)'%')
            {
                escaped[length++] = (byte)'2';
                escaped[length++] = (byte)'5';
            }
        }

        json.WritePropertyName(escaped[..length]);
    }

    private static void Wrap(Utf8JsonWriter json, ReadOnlySpan<byte> key, string value)
    {
        json.WriteStartObject();
        json.WriteString(key, value);
        json.WriteEndObject();
    }
}
