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
            case BsonTypeCode.DateTime when ValueClassifier.DateInRange(element.Int64Value):
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

    /// <summary>Relaxed extended JSON of one value (documents and arrays included); <paramref name="escapeKeys"/> for the JSON type.</summary>
    public void WriteJson(in RawElement element, IBufferWriter<byte> output, bool escapeKeys = false)
    {
        var json = Json(output);
        try
        {
            ExtendedJson.WriteValue(json, element, escapeKeys);
        }
        finally
        {
            json.Flush();
        }
    }

    /// <summary>The reused JSON writer, reset onto <paramref name="output"/>; the caller flushes it.</summary>
    public Utf8JsonWriter Json(IBufferWriter<byte> output)
    {
        var json = _json ??= new Utf8JsonWriter(output, JsonOptions);
        json.Reset(output);
        return json;
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

    internal static int FormatDouble(double value, Span<byte> span, bool json)
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

    internal static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> span)
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
