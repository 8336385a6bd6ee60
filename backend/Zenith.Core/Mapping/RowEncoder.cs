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

/// <summary>
/// One row's own version and tombstone flag, when the rows of a batch do not share one version (change-stream events: each
/// carries its cluster time and ordinal; a delete is a tombstone of its <c>_id</c>).
/// </summary>
public readonly record struct RowStamp(UInt128 Version, bool Deleted);

/// <summary>A document that could not be written: its <c>_id</c> as text and why (never its contents).</summary>
public sealed record DocumentFailure(string DocumentId, string Reason);

/// <summary>
/// The transform stage: BSON documents in, ClickHouse RowBinary rows out, in the column order of
/// <see cref="TableSchema.InsertColumns"/>. Walks the BSON bytes directly and allocates nothing per document on the common
/// path. A value that has no column (the budget is full, a map-like sub-document's new key) or does not fit its column
/// exactly goes to <c>_zenith_extra</c> under its path (<see cref="Spilled"/> counts them). Not thread-safe: use one per thread.
/// (Over 300 lines: the common path is one loop over the bytes; maps, Nested and JSON are in RowEncoder.Shapes.cs, key misfits in
/// RowEncoder.KeyMisfits.cs.)
/// </summary>
public sealed partial class RowEncoder : IDisposable
{
    private readonly MappingOptions _options;
    private readonly RowBinaryValues _values;
    private readonly SpillList _spills = new();
    private readonly PooledBuffer _json = new(1024);
    private Slot[] _slots = [];
    private Slot[] _groups = [];
    private int _stamp;

    public RowEncoder(MappingOptions options)
    {
        MappingRules.Validate(options);
        _options = options;
        _values = new RowBinaryValues(options.LegacyUuid);
    }

    /// <summary>Values put in <c>_zenith_extra</c> because they did not fit their column or had none, since the last <see cref="Encode"/>.</summary>
    public int Spilled { get; private set; }

    /// <summary>
    /// Appends one row per document of <paramref name="documents"/> (BSON documents back to back) to <paramref name="output"/>.
    /// On <see cref="EncodeStatus.NeedsSchemaChange"/> the output is left as it was. <paramref name="stamps"/>, when given, holds
    /// each document's own version and tombstone flag (one per document, in order) instead of <paramref name="version"/>.
    /// </summary>
    public EncodeStatus Encode(
        ReadOnlySpan<byte> documents,
        TableSchema schema,
        long syncedAtMillis,
        UInt128 version,
        PooledBuffer output,
        ICollection<DocumentFailure> failures,
        out int rows,
        ReadOnlySpan<RowStamp> stamps = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(failures);
        if (_slots.Length < schema.Columns.Count || _groups.Length < schema.Groups.Length)
        {
            _slots = new Slot[schema.Columns.Count];
            _groups = new Slot[schema.Groups.Length];
            _stamp = 0;
        }

        var start = output.Length;
        var failuresBefore = failures.Count;
        var misfitsBefore = _keyMisfits;
        rows = 0;
        Spilled = 0;
        var position = 0;
        var index = -1;
        while (position < documents.Length)
        {
            index++;
            var stamp = stamps.IsEmpty ? new RowStamp(version, false) : stamps[index];
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
                var status = EncodeDocument(document, schema, syncedAtMillis, stamp, output);
                if (status == EncodeStatus.NeedsSchemaChange)
                {
                    output.Length = start;
                    while (failures.Count > failuresBefore && failures is IList<DocumentFailure> list)
                    {
                        list.RemoveAt(list.Count - 1);
                    }

                    rows = 0;
                    Spilled = 0;
                    _keyMisfits = misfitsBefore;
                    return status;
                }

                rows++;
                Spilled += _spills.Count;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or JsonException)
            {
                output.Length = rowStart;
                failures.Add(new DocumentFailure(DocumentId(document), ex.Message));
            }
        }

        return EncodeStatus.Done;
    }

    private EncodeStatus EncodeDocument(ReadOnlySpan<byte> document, TableSchema schema, long syncedAtMillis, RowStamp stamp, PooledBuffer output)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_slots);
            Array.Clear(_groups);
            _stamp = 1;
        }

        _spills.Clear();
        var idOffset = -1;
        if (!Collect(document, 0, schema.Root, 1, schema, ref idOffset) || (_spills.Count > 0 && schema.ExtraIndex < 0))
        {
            return EncodeStatus.NeedsSchemaChange;
        }

        if (idOffset < 0)
        {
            throw new FormatException("document has no _id");
        }

        _values.WriteId(ElementAt(document, idOffset), output);
        var types = schema.Types;
        var roles = schema.Roles;
        var slots = _slots;
        for (var i = 0; i < types.Length; i++)
        {
            ref var slot = ref slots[i];
            var type = types[i];
            if (roles[i] == ColumnRole.Field)
            {
                if (slot.Stamp != _stamp)
                {
                    // Missing: NULL for a Nullable scalar (1), an empty array (length 0).
                    output.WriteByte(type.IsArray ? (byte)0 : (byte)1);
                    continue;
                }

                _values.WriteValue(type, new RawElement(slot.Type, default, document.Slice(slot.ValueOffset, slot.ValueLength)), output);
                continue;
            }

            WriteSpecial(i, schema, document, output);
        }

        output.WriteInt64(syncedAtMillis);
        if (schema.IsChangeLog)
        {
            // UInt128 in RowBinary: little-endian, the low half first.
            output.WriteUInt64((ulong)stamp.Version);
            output.WriteUInt64((ulong)(stamp.Version >> 64));
        }
        else
        {
            output.WriteUInt64((ulong)stamp.Version);
        }

        if (schema.HasIdType)
        {
            output.WriteByte((byte)(sbyte)TypeBrackets.Of(document[idOffset]));
        }

        if (schema.IsChangeLog)
        {
            output.WriteByte(stamp.Deleted ? (byte)1 : (byte)0);
        }

        return EncodeStatus.Done;
    }

    /// <summary>Maps every field to its column slot (or to the spills); false when the schema lacks a column or a wide enough type.</summary>
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
            var empty = element.Value.Length == 5 && element.Type is BsonTypeCode.Document or BsonTypeCode.Array;
            if (child is null || child.Skip)
            {
                if (child is null && !empty && !Unknown(node.Unknown, thisElement))
                {
                    return false;
                }

                continue;
            }

            if (child.Whole)
            {
                if (!empty && !Whole(child.Column, element, thisElement, baseOffset, schema))
                {
                    return false;
                }

                continue;
            }

            if (child.Group >= 0)
            {
                if (!empty && !Nested(child.Group, element, thisElement, baseOffset, schema))
                {
                    return false;
                }

                continue;
            }

            if (element.Type == BsonTypeCode.Document && depth < _options.MaxDepth)
            {
                if (empty)
                {
                    continue;
                }

                _spills.Push(thisElement);
                var done = Collect(element.Value, baseOffset + element.ValueOffset, child, depth + 1, schema, ref idOffset);
                _spills.Pop();
                if (!done)
                {
                    return false;
                }

                continue;
            }

            if (child.Column < 0)
            {
                if (!empty && !Unknown(child.Unknown == UnknownPolicy.Skip ? UnknownPolicy.Skip : node.Unknown, thisElement))
                {
                    return false;
                }

                continue;
            }

            // A String column takes any value as text, and a value of the column's own BSON type fits it as it is: only the
            // rest asks the type rules (arrays would be walked).
            var column = child.Column;
            var columnType = schema.Types[column];
            if (element.Type == schema.ExactTypes[column])
            {
                if (element.Type == BsonTypeCode.DateTime && !ValueClassifier.DateInRange(element.Int64Value))
                {
                    SpillMisfit(thisElement, schema, column);
                    continue;
                }
            }
            else if (columnType.IsArray || columnType.Kind != ColumnKind.String)
            {
                switch (TypeFit.Field(columnType, element, schema.IsPinned(column), _options.LegacyUuid))
                {
                    case Fit.Widen:
                        return false;
                    case Fit.Spill:
                        SpillMisfit(thisElement, schema, column);
                        continue;
                }
            }

            Stamp(ref _slots[column], element, baseOffset);
        }

        return true;
    }

    /// <summary>A field no column names: true when it is handled (spilled or left out), false to ask for a schema change.</summary>
    private bool Unknown(UnknownPolicy policy, int element)
    {
        switch (policy)
        {
            case UnknownPolicy.Ask:
                return false;
            case UnknownPolicy.Extra:
                _spills.Add(element);
                return true;
            default:
                return true;
        }
    }

    private ref Slot Stamp(ref Slot slot, in RawElement element, int baseOffset)
    {
        slot.Stamp = _stamp;
        slot.Type = element.Type;
        slot.ValueOffset = baseOffset + element.ValueOffset;
        slot.ValueLength = element.Value.Length;
        return ref slot;
    }

    /// <summary>Re-reads the element that starts at <paramref name="offset"/> of the document (type byte, name, value).</summary>
    internal static RawElement ElementAt(ReadOnlySpan<byte> document, int offset)
    {
        var type = document[offset];
        var nameLength = document[(offset + 1)..].IndexOf((byte)0);
        var valueStart = offset + nameLength + 2;
        var length = BsonElementReader.MeasureValue(type, document[valueStart..]);
        return new RawElement(type, document.Slice(offset + 1, nameLength), document.Slice(valueStart, length), valueStart);
    }

    /// <summary>The <c>_id</c> of a document as text, for failure reports; never throws.</summary>
    public string DocumentId(ReadOnlySpan<byte> document) => _values.DocumentId(document);

    public void Dispose()
    {
        _values.Dispose();
        _json.Dispose();
    }

    private struct Slot
    {
        public int Stamp;
        public int ValueOffset;
        public int ValueLength;
        public int Count;
        public byte Type;
    }
}
