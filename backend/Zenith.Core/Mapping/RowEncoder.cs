using System.Buffers.Binary;
using System.Text.Json;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

public enum EncodeStatus
{
    /// <summary>Every document was encoded (or recorded as failed).</summary>
    Done,

    /// <summary>A document has a field or a type the schema lacks: extend the schema, then encode again.</summary>
    NeedsSchemaChange,
}

/// <summary>A document that could not be written: its <c>_id</c> as text and why (never its contents).</summary>
public sealed record DocumentFailure(string DocumentId, string Reason);

/// <summary>
/// The transform stage: BSON documents in, ClickHouse RowBinary rows out, in the column order of
/// <see cref="TableSchema.InsertColumns"/>. Walks the BSON bytes directly and allocates nothing per document
/// on the common path. Not thread-safe: use one per thread.
/// </summary>
public sealed class RowEncoder : IDisposable
{
    private readonly MappingOptions _options;
    private readonly RowBinaryValues _values = new();
    private Slot[] _slots = [];
    private int _stamp;
    private readonly HashSet<int> _keyMisfitColumns = [];
    private int _keyMisfits;

    public RowEncoder(MappingOptions options)
    {
        MappingRules.Validate(options);
        _options = options;
    }

    /// <summary>
    /// Appends one row per document of <paramref name="documents"/> (BSON documents back to back) to <paramref name="output"/>.
    /// On <see cref="EncodeStatus.NeedsSchemaChange"/> the output is left as it was.
    /// </summary>
    public EncodeStatus Encode(
        ReadOnlySpan<byte> documents,
        TableSchema schema,
        long syncedAtMillis,
        ulong version,
        PooledBuffer output,
        ICollection<DocumentFailure> failures,
        out int rows)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(failures);
        if (_slots.Length < schema.Columns.Count)
        {
            _slots = new Slot[schema.Columns.Count];
            _stamp = 0;
        }

        var start = output.Length;
        var failuresBefore = failures.Count;
        var misfitsBefore = _keyMisfits;
        rows = 0;
        var position = 0;
        while (position < documents.Length)
        {
            var length = documents.Length - position >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(documents[position..]) : -1;
            if (length < 5 || length > documents.Length - position)
            {
                failures.Add(new DocumentFailure("(unknown)", "malformed BSON document (bad length); the rest of the batch is unreadable"));
                break;
            }

            var document = documents.Slice(position, length);
            position += length;
            var rowStart = output.Length;
            try
            {
                var status = EncodeDocument(document, schema, syncedAtMillis, version, output);
                if (status == EncodeStatus.NeedsSchemaChange)
                {
                    output.Length = start;
                    while (failures.Count > failuresBefore && failures is IList<DocumentFailure> list)
                    {
                        list.RemoveAt(list.Count - 1);
                    }

                    rows = 0;
                    _keyMisfits = misfitsBefore;
                    return status;
                }

                rows++;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or JsonException)
            {
                output.Length = rowStart;
                failures.Add(new DocumentFailure(DocumentId(document), ex.Message));
            }
        }

        return EncodeStatus.Done;
    }

    private EncodeStatus EncodeDocument(ReadOnlySpan<byte> document, TableSchema schema, long syncedAtMillis, ulong version, PooledBuffer output)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_slots);
            _stamp = 1;
        }

        var idOffset = -1;
        if (!Collect(document, 0, schema.Root, 1, schema, ref idOffset))
        {
            return EncodeStatus.NeedsSchemaChange;
        }

        if (idOffset < 0)
        {
            throw new FormatException("document has no _id");
        }

        _values.WriteId(ElementAt(document, idOffset), output);
        var types = schema.Types;
        var slots = _slots;
        for (var i = 0; i < types.Length; i++)
        {
            ref var slot = ref slots[i];
            var type = types[i];
            if (slot.Stamp != _stamp)
            {
                // Missing: NULL for a Nullable scalar (1), an empty array (length 0).
                output.WriteByte(type.IsArray ? (byte)0 : (byte)1);
                continue;
            }

            _values.WriteValue(type, new RawElement(slot.Type, default, document.Slice(slot.ValueOffset, slot.ValueLength)), output);
        }

        output.WriteInt64(syncedAtMillis);
        output.WriteUInt64(version);
        if (schema.HasIdType)
        {
            output.WriteByte((byte)(sbyte)TypeBrackets.Of(document[idOffset]));
        }

        return EncodeStatus.Done;
    }

    /// <summary>
    /// Values since the last call that did not fit their key column (<see cref="KeyColumns"/>: never widened) and were written as
    /// NULL there, and which columns they were meant for.
    /// </summary>
    public (int Values, IReadOnlyCollection<int> Columns) TakeKeyMisfits()
    {
        var taken = (_keyMisfits, (IReadOnlyCollection<int>)[.. _keyMisfitColumns]);
        _keyMisfits = 0;
        _keyMisfitColumns.Clear();
        return taken;
    }

    /// <summary>Maps every field to its column slot; false when the schema lacks a column or a wide enough type.</summary>
    private bool Collect(ReadOnlySpan<byte> document, int baseOffset, PathNode node, int depth, TableSchema schema, ref int idOffset)
    {
        var reader = new BsonElementReader(document);
        var hint = 0;
        var elementStart = 4;
        while (reader.MoveNext())
        {
            var element = reader.Current;
            var thisElement = baseOffset + elementStart;
            elementStart = element.ValueOffset + element.Value.Length;
            if (depth == 1 && element.Name.SequenceEqual("_id"u8))
            {
                idOffset = thisElement;
                continue;
            }

            if (ValueClassifier.IsNull(element.Type))
            {
                continue;
            }

            var child = node.Find(element.Name, ref hint);
            if (element.Type == BsonTypeCode.Document && depth < _options.MaxDepth)
            {
                if (child is null)
                {
                    if (element.Value.Length == 5)
                    {
                        continue;
                    }

                    return false;
                }

                if (!Collect(element.Value, baseOffset + element.ValueOffset, child, depth + 1, schema, ref idOffset))
                {
                    return false;
                }

                continue;
            }

            var isEmptyArray = element.Type == BsonTypeCode.Array && element.Value.Length == 5;
            if (child is null || child.Column < 0)
            {
                if (isEmptyArray)
                {
                    continue;
                }

                return false;
            }

            // A String column takes any value as text: no need to classify it (arrays would be walked).
            var columnType = schema.Types[child.Column];
            if (columnType.IsArray || columnType.Kind != ColumnKind.String)
            {
                var valueType = element.Type == BsonTypeCode.Document ? ColumnType.String : isEmptyArray ? ColumnType.EmptyArray : ValueClassifier.Classify(element);
                if (!columnType.Accepts(valueType))
                {
                    if (KeyColumns.MayWiden(schema, child.Column))
                    {
                        return false;
                    }

                    _keyMisfits++;
                    _keyMisfitColumns.Add(child.Column);
                    continue;
                }
            }

            ref var slot = ref _slots[child.Column];
            slot.Stamp = _stamp;
            slot.Type = element.Type;
            slot.ValueOffset = baseOffset + element.ValueOffset;
            slot.ValueLength = element.Value.Length;
        }

        return true;
    }

    /// <summary>Re-reads the element that starts at <paramref name="offset"/> of the document (type byte, name, value).</summary>
    private static RawElement ElementAt(ReadOnlySpan<byte> document, int offset)
    {
        var type = document[offset];
        var nameLength = document[(offset + 1)..].IndexOf((byte)0);
        var valueStart = offset + nameLength + 2;
        var length = BsonElementReader.MeasureValue(type, document[valueStart..]);
        return new RawElement(type, document.Slice(offset + 1, nameLength), document.Slice(valueStart, length), valueStart);
    }

    /// <summary>The <c>_id</c> of a document as text, for failure reports; never throws.</summary>
    public string DocumentId(ReadOnlySpan<byte> document) => _values.DocumentId(document);

    public void Dispose() => _values.Dispose();

    private struct Slot
    {
        public int Stamp;
        public int ValueOffset;
        public int ValueLength;
        public byte Type;
    }
}
