using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// One document's identity as both sides see it: <see cref="Text"/> is the <c>_id</c> text the engine writes (what ClickHouse's
/// <c>_id</c> holds), <see cref="RawId"/> the BSON value (type byte, then the value) to read it again, <see cref="Cursor"/> the
/// RowBinary of its cursor column as the engine writes it (freshness), or null when freshness is not checked.
/// </summary>
internal sealed class IdEntry(byte[] text, IdBracket bracket, byte[] rawId, byte[]? cursor)
{
    /// <summary>A cursor value the engine could not write into the table's cursor column: equal to no RowBinary value.</summary>
    public static readonly byte[] UnwritableCursor = [0xFF];

    public byte[] Text { get; } = text;

    public IdBracket Bracket { get; } = bracket;

    public byte[] RawId { get; } = rawId;

    public byte[]? Cursor { get; } = cursor;

    public VerifiedId Display(bool withType = true) => new(Encoding.UTF8.GetString(Text), withType ? Bracket.Name : null);

    /// <summary>The <c>_id</c> as a driver value, for a query that reads the document again.</summary>
    public BsonValue IdValue() => BsonSerializer.Deserialize<BsonDocument>(IdDocument(RawId))[0];

    /// <summary>The document <c>{ _id: value }</c> of a raw <c>_id</c> (type byte, then the value).</summary>
    public static byte[] IdDocument(byte[] rawId)
    {
        ArgumentNullException.ThrowIfNull(rawId);
        var document = new byte[4 + 1 + 4 + rawId.Length - 1 + 1];
        BinaryPrimitives.WriteInt32LittleEndian(document, document.Length);
        document[4] = rawId[0];
        "_id\0"u8.CopyTo(document.AsSpan(5));
        rawId.AsSpan(1).CopyTo(document.AsSpan(9));
        return document;
    }

    public static int CompareText(IdEntry a, IdEntry b) => a.Text.AsSpan().SequenceCompareTo(b.Text);
}

/// <summary>
/// Makes <see cref="IdEntry"/>s with the engine's own encoder: the document (its <c>_id</c>, and its cursor field when freshness is
/// checked) is encoded for a one-column schema, so the text and the cursor bytes are exactly what a run writes. Not thread-safe.
/// </summary>
internal sealed class IdCodec : IDisposable
{
    private readonly RowEncoder _encoder;
    private readonly TableSchema _schema;
    private readonly ColumnType? _cursorType;
    private readonly PooledBuffer _row = new(1024);
    private readonly List<DocumentFailure> _failures = [];

    /// <param name="cursorColumn">The table's column of the cursor field, or null when freshness is not checked.</param>
    public IdCodec(MappingOptions mapping, ColumnDef? cursorColumn)
    {
        _encoder = new RowEncoder(mapping);
        _schema = cursorColumn is null ? TableSchema.Empty : TableSchema.Create([cursorColumn]);
        _cursorType = cursorColumn?.Type;
    }

    /// <summary>The identity of any document (its <c>_id</c> alone, no cursor); null when it has no writable <c>_id</c>.</summary>
    public IdEntry? Identity(ReadOnlySpan<byte> document)
    {
        var rawId = RawId(document);
        if (rawId is null)
        {
            return null;
        }

        _row.Length = 0;
        _failures.Clear();
        _encoder.Encode(IdEntry.IdDocument(rawId), TableSchema.Empty, 0, 0, _row, _failures, out var rows);
        return rows == 1 ? new IdEntry(RowBinaryLayout.ReadString(_row.WrittenSpan, out _).ToArray(), IdBracket.Of(rawId[0]), rawId, null) : null;
    }

    /// <summary>The entry of one document (projected to <c>_id</c> and the cursor field); null when it has no writable <c>_id</c>.</summary>
    public IdEntry? Entry(ReadOnlySpan<byte> document)
    {
        var rawId = RawId(document);
        if (rawId is null)
        {
            return null;
        }

        _row.Length = 0;
        _failures.Clear();
        var status = _encoder.Encode(document, _schema, 0, 0, _row, _failures, out var rows);
        byte[]? cursor = null;
        if (status == EncodeStatus.NeedsSchemaChange)
        {
            // The cursor value does not fit the cursor column (no run wrote this value): the _id alone gives the text.
            _row.Length = 0;
            _failures.Clear();
            _encoder.Encode(IdEntry.IdDocument(rawId), TableSchema.Empty, 0, 0, _row, _failures, out rows);
            cursor = IdEntry.UnwritableCursor;
        }

        if (rows != 1)
        {
            return null;
        }

        var written = _row.WrittenSpan;
        var text = RowBinaryLayout.ReadString(written, out var length).ToArray();
        if (_cursorType is { } type && cursor is null)
        {
            cursor = written.Slice(length, RowBinaryLayout.Measure(type, written[length..])).ToArray();
        }

        return new IdEntry(text, IdBracket.Of(rawId[0]), rawId, cursor);
    }

    private static byte[]? RawId(ReadOnlySpan<byte> document)
    {
        var reader = new BsonElementReader(document);
        while (reader.MoveNext())
        {
            if (reader.Current.Name.SequenceEqual("_id"u8))
            {
                var raw = new byte[reader.Current.Value.Length + 1];
                raw[0] = reader.Current.Type;
                reader.Current.Value.CopyTo(raw.AsSpan(1));
                return raw;
            }
        }

        return null;
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _row.Dispose();
    }
}
