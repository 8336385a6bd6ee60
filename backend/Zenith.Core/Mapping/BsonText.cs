using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Decimal128 = MongoDB.Bson.Decimal128;
using Zenith.Core.Bson;

namespace Zenith.Core.Mapping;

/// <summary>
/// The text of a BSON value for a String column: strings as they are, numbers and dates the way ClickHouse
/// prints them (so a column widened by ALTER reads the same), ObjectId as hex, Decimal128 exactly,
/// binary as base64, and documents, arrays and the rare types as relaxed extended JSON.
/// One instance per thread: it reuses its JSON writer.
/// </summary>
public sealed class BsonText
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
        MaxDepth = 1000,
    };

    private Utf8JsonWriter? _json;

    /// <summary>Writes the text of <paramref name="element"/>'s value. Throws when it has none (e.g. invalid UTF-8 inside JSON).</summary>
    public void Write(in RawElement element, IBufferWriter<byte> output)
    {
        switch (element.Type)
        {
            case BsonTypeCode.String:
            case BsonTypeCode.Symbol:
            case BsonTypeCode.JavaScript:
                Copy(element.StringBytes, output);
                break;
            case BsonTypeCode.Int32:
                Format(element.Int32Value, output);
                break;
            case BsonTypeCode.Int64:
                Format(element.Int64Value, output);
                break;
            case BsonTypeCode.Double:
                FormatDouble(element.DoubleValue, output, json: false);
                break;
            case BsonTypeCode.Boolean:
                Copy(element.BooleanValue ? "true"u8 : "false"u8, output);
                break;
            case BsonTypeCode.Timestamp:
                Format((ulong)element.Int64Value, output);
                break;
            case BsonTypeCode.ObjectId:
                WriteHex(element.Value, output);
                break;
            case BsonTypeCode.Decimal128:
                Copy(Encoding.UTF8.GetBytes(DecimalText(element.Value)), output);
                break;
            case BsonTypeCode.DateTime when element.Int64Value is >= ValueClassifier.MinDateTime64Millis and <= ValueClassifier.MaxDateTime64Millis:
                FormatDate(element.Int64Value, "yyyy-MM-dd HH:mm:ss.fff", output);
                break;
            case BsonTypeCode.Binary when ValueClassifier.IsUuid(element.Value):
                FormatUuid(element.Value.Slice(5, 16), output);
                break;
            case BsonTypeCode.Binary:
                var data = element.Value[5..];
                var span = output.GetSpan(Base64.GetMaxEncodedToUtf8Length(data.Length));
                Base64.EncodeToUtf8(data, span, out _, out var written);
                output.Advance(written);
                break;
            default:
                WriteJson(element, output);
                break;
        }
    }

    /// <summary>Relaxed extended JSON of one value (documents and arrays included).</summary>
    public void WriteJson(in RawElement element, IBufferWriter<byte> output)
    {
        var json = _json ??= new Utf8JsonWriter(output, JsonOptions);
        json.Reset(output);
        try
        {
            WriteJsonValue(json, element);
        }
        finally
        {
            json.Flush();
        }
    }

    private static void WriteJsonDocument(Utf8JsonWriter json, ReadOnlySpan<byte> document, bool isArray)
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
                json.WritePropertyName(element.Name);
            }

            WriteJsonValue(json, element);
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

    private static void WriteJsonValue(Utf8JsonWriter json, RawElement element)
    {
        var value = element.Value;
        switch (element.Type)
        {
            case BsonTypeCode.Document:
                WriteJsonDocument(json, value, isArray: false);
                break;
            case BsonTypeCode.Array:
                WriteJsonDocument(json, value, isArray: true);
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
                    json.WriteRawValue(buffer[..FormatDouble(d, buffer, json: true)], skipInputValidation: true);
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
                WriteHex(value, hex);
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
                Wrap(json, "$numberDecimal"u8, DecimalText(value));
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
                WriteHex(value.Slice(4, 1), subType);
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
                WriteJsonDocument(json, value[(8 + codeLength)..], isArray: false);
                json.WriteEndObject();
                break;
            case BsonTypeCode.DbPointer:
                var refLength = BinaryPrimitives.ReadInt32LittleEndian(value);
                json.WriteStartObject();
                json.WriteStartObject("$dbPointer"u8);
                json.WriteString("$ref"u8, value.Slice(4, refLength - 1));
                json.WritePropertyName("$id"u8);
                Span<byte> refHex = stackalloc byte[24];
                WriteHex(value[(4 + refLength)..], refHex);
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

    private static void Wrap(Utf8JsonWriter json, ReadOnlySpan<byte> key, string value)
    {
        json.WriteStartObject();
        json.WriteString(key, value);
        json.WriteEndObject();
    }

    public static string DecimalText(ReadOnlySpan<byte> value) =>
        Decimal128.FromIEEEBits(BinaryPrimitives.ReadUInt64LittleEndian(value[8..]), BinaryPrimitives.ReadUInt64LittleEndian(value)).ToString();

    private static void Copy(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void Format<T>(T value, IBufferWriter<byte> output)
        where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(24);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Shortest round-trip text; in JSON an integral double keeps a <c>.0</c> so it reads back as a double.</summary>
    private static void FormatDouble(double value, IBufferWriter<byte> output, bool json) =>
        output.Advance(FormatDouble(value, output.GetSpan(40), json));

    private static int FormatDouble(double value, Span<byte> span, bool json)
    {
        if (!json && !double.IsFinite(value))
        {
            var text = double.IsNaN(value) ? "nan"u8 : value > 0 ? "inf"u8 : "-inf"u8;
            text.CopyTo(span);
            return text.Length;
        }

        value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture);
        if (json && span[..written].IndexOfAny(".Ee"u8) < 0)
        {
            span[written++] = (byte)'.';
            span[written++] = (byte)'0';
        }

        return written;
    }

    private static void FormatDate(long millis, string format, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(32);
        DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime.TryFormat(span, out var written, format, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteHex(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        WriteHex(bytes, output.GetSpan(bytes.Length * 2));
        output.Advance(bytes.Length * 2);
    }

    private static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> span)
    {
        var digits = "0123456789abcdef"u8;
        for (var i = 0; i < bytes.Length; i++)
        {
            span[2 * i] = digits[bytes[i] >> 4];
            span[(2 * i) + 1] = digits[bytes[i] & 0xF];
        }
    }

    private static void FormatUuid(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(36);
        var guid = new Guid(bytes, bigEndian: true);
        guid.TryFormat(span, out var written, "D");
        output.Advance(written);
    }
}
