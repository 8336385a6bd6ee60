using Zenith.Core.Bson;
using Zenith.Core.Buffers;

namespace Zenith.Core.Mapping;

/// <summary>
/// The encoder's values that are more than one field: a map's entries, a Nested group's arrays, JSON sub-trees, the extras and
/// the whole document. The common path (one field, one column) is in RowEncoder.cs; these are only taken for such columns.
/// </summary>
public sealed partial class RowEncoder
{
    /// <summary>A map, a Nested member, a JSON column, the extras or the whole document.</summary>
    private void WriteSpecial(int i, TableSchema schema, ReadOnlySpan<byte> document, PooledBuffer output)
    {
        ref var slot = ref _slots[i];
        var type = schema.Types[i];
        switch (schema.Roles[i])
        {
            case ColumnRole.Map when slot.Stamp == _stamp:
                _values.WriteMap(type.Kind, document.Slice(slot.ValueOffset, slot.ValueLength), slot.Count, output);
                break;
            case ColumnRole.Map:
                output.WriteVarUInt(0);
                break;
            case ColumnRole.Nested:
                ref var group = ref _groups[schema.MemberGroup(i)];
                if (group.Stamp == _stamp)
                {
                    _values.WriteMember(type.Kind, document.Slice(group.ValueOffset, group.ValueLength), schema.MemberName(i), output);
                }
                else
                {
                    output.WriteVarUInt(0);
                }

                break;
            case ColumnRole.Json when slot.Stamp == _stamp:
                _values.WriteJson(type.Kind, new RawElement(slot.Type, default, document.Slice(slot.ValueOffset, slot.ValueLength)), output);
                break;
            case ColumnRole.Extra when _spills.Count > 0:
                _json.Length = 0;
                _spills.WriteObject(_values.Text.Json(_json), document, type.Kind == ColumnKind.Json);
                RowBinaryValues.WriteJsonText(type.Kind, _json.WrittenSpan, output);
                break;
            case ColumnRole.Document:
                _values.WriteJson(type.Kind, new RawElement(BsonTypeCode.Document, default, document), output);
                break;
            default:
                RowBinaryValues.WriteMissingJson(type.Kind, output);
                break;
        }
    }

    /// <summary>A value written whole: a map's fitting entries (the others spill one by one), a JSON sub-tree, a forced type.</summary>
    private bool Whole(int column, in RawElement element, int thisElement, int baseOffset, TableSchema schema)
    {
        var type = schema.Types[column];
        switch (schema.Roles[column])
        {
            case ColumnRole.Map:
                if (element.Type != BsonTypeCode.Document)
                {
                    _spills.Add(thisElement);
                    return true;
                }

                var count = 0;
                var entries = new BsonElementReader(element.Value);
                var entryStart = 4;
                _spills.Push(thisElement);
                while (entries.MoveNext())
                {
                    var entry = entries.Current;
                    var entryOffset = baseOffset + element.ValueOffset + entryStart;
                    entryStart = entry.ValueOffset + entry.Value.Length;
                    if (ValueClassifier.IsNull(entry.Type))
                    {
                        continue;
                    }

                    if (_values.MapEntryFits(type.Kind, entry))
                    {
                        count++;
                        continue;
                    }

                    if (entry.Type is not (BsonTypeCode.Document or BsonTypeCode.Array)
                        && TypeFit.Scalar(type.Kind, entry, _options.LegacyUuid, out var widened) == Fit.Widen
                        && TypeFit.NumericWidening(type.Kind, widened) && !schema.IsPinned(column))
                    {
                        _spills.Pop();
                        return false;
                    }

                    _spills.Add(entryOffset);
                }

                _spills.Pop();
                Stamp(ref _slots[column], element, baseOffset).Count = count;
                return true;
            case ColumnRole.Json when type.Kind == ColumnKind.Json && element.Type != BsonTypeCode.Document:
                _spills.Add(thisElement);
                return true;
            case ColumnRole.Json:
                Stamp(ref _slots[column], element, baseOffset);
                return true;
            default:
                // A type rule: the value fits the forced type or goes to the extras; the column never widens.
                if (type.Kind != ColumnKind.String && TypeFit.Field(type, element, pinned: true, _options.LegacyUuid) != Fit.Fits)
                {
                    _spills.Add(thisElement);
                    return true;
                }

                Stamp(ref _slots[column], element, baseOffset);
                return true;
        }
    }

    /// <summary>An array for a Nested group: every element a document whose fields are members and fit them, else the array spills whole.</summary>
    private bool Nested(int groupIndex, in RawElement element, int thisElement, int baseOffset, TableSchema schema)
    {
        var members = schema.Groups[groupIndex].Members;
        if (element.Type != BsonTypeCode.Array)
        {
            _spills.Add(thisElement);
            return true;
        }

        var items = new BsonElementReader(element.Value);
        while (items.MoveNext())
        {
            var item = items.Current;
            if (item.Type != BsonTypeCode.Document)
            {
                _spills.Add(thisElement);
                return true;
            }

            var fields = new BsonElementReader(item.Value);
            var hint = 0;
            while (fields.MoveNext())
            {
                var field = fields.Current;
                if (ValueClassifier.IsNull(field.Type))
                {
                    continue;
                }

                var member = members.Find(field.Name, ref hint);
                if (member is null || member.Column < 0)
                {
                    if (members.Unknown == UnknownPolicy.Ask)
                    {
                        return false;
                    }

                    _spills.Add(thisElement);
                    return true;
                }

                var kind = schema.Types[member.Column].Kind;
                if (kind == ColumnKind.String)
                {
                    continue;
                }

                var fit = field.Type is BsonTypeCode.Document or BsonTypeCode.Array ? Fit.Spill : TypeFit.Scalar(kind, field, _options.LegacyUuid, out var widened) is var f && f == Fit.Widen && !(TypeFit.NumericWidening(kind, widened) && !schema.IsPinned(member.Column)) ? Fit.Spill : f;
                if (fit == Fit.Widen)
                {
                    return false;
                }

                if (fit == Fit.Spill)
                {
                    _spills.Add(thisElement);
                    return true;
                }
            }
        }

        Stamp(ref _groups[groupIndex], element, baseOffset);
        return true;
    }
}
