using System.Text;
using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// What a sample (or a batch) showed at one document path: how often a value was there, which types it had, and for
/// sub-documents their keys (for the map decision) and for arrays of documents the fields of their elements (for Nested).
/// </summary>
internal sealed class PathStats
{
    /// <summary>Beyond this many distinct keys a sub-document is a map whatever else is true; its keys are no longer kept one by one.</summary>
    public const int MaxChildren = 1000;

    /// <summary>The top level is bounded by the column budget instead (fields beyond it go to <c>_zenith_extra</c>).</summary>
    public const int MaxRootChildren = MappingRules.MaxColumns;

    public Dictionary<string, PathStats> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>Occurrences with a value (null, undefined, {} and [] are no value).</summary>
    public int Present { get; private set; }

    /// <summary>Occurrences as a non-empty document, and the keys they had in all.</summary>
    public int Documents { get; private set; }

    public int KeyTotal { get; private set; }

    /// <summary>The parent's document count when this key was first seen (for "the key set keeps growing").</summary>
    public int FirstSeen { get; init; }

    public bool ChildrenCapped { get; private set; }

    /// <summary>The widened type of the values that were not documents (scalars and arrays), null when there were none.</summary>
    public ColumnType? Values { get; private set; }

    public int Scalars { get; private set; }

    /// <summary>The kinds of the scalar values, one bit per <see cref="ColumnKind"/> (String for values that only have text).</summary>
    public int ScalarKinds { get; private set; }

    /// <summary>The kinds of the elements of non-document arrays; <see cref="ElementOther"/> when one was a document, array or null.</summary>
    public int ElementKinds { get; private set; }

    public bool ElementOther { get; private set; }

    /// <summary>An Int64 a double cannot hold exactly was seen (here or in an array here).</summary>
    public bool BigInt { get; private set; }

    /// <summary>A double an Int64 cannot hold exactly was seen.</summary>
    public bool Fraction { get; private set; }

    public int OutOfRangeDates { get; private set; }

    /// <summary>Non-empty arrays whose elements were all documents, and other non-empty arrays.</summary>
    public int DocumentArrays { get; private set; }

    public int OtherArrays { get; private set; }

    /// <summary>The fields of the documents in arrays here, as if each element were a document at this path.</summary>
    public PathStats? Elements { get; private set; }

    /// <summary>Every value of this sub-document's keys as one path: a map's value type.</summary>
    public PathStats? Entries { get; private set; }

    public void ObserveDocument(ReadOnlySpan<byte> document, int depth, int maxDepth, bool root, LegacyUuid uuid)
    {
        var reader = new BsonElementReader(document);
        var keys = 0;
        Documents++;
        while (reader.MoveNext())
        {
            var element = reader.Current;
            if ((root && element.Name.SequenceEqual("_id"u8)) || ValueClassifier.IsNull(element.Type))
            {
                continue;
            }

            keys++;
            if (!root)
            {
                (Entries ??= new PathStats()).ObserveValue(element, int.MaxValue, maxDepth, uuid);
            }

            var name = Encoding.UTF8.GetString(element.Name);
            if (!Children.TryGetValue(name, out var child))
            {
                if (Children.Count >= (root ? MaxRootChildren : MaxChildren))
                {
                    ChildrenCapped = true;
                    continue;
                }

                child = new PathStats { FirstSeen = Documents };
                Children.Add(name, child);
            }

            child.ObserveValue(element, depth + 1, maxDepth, uuid);
        }

        KeyTotal += keys;
        if (keys == 0)
        {
            Documents--;
        }
    }

    public void ObserveValue(in RawElement element, int depth, int maxDepth, LegacyUuid uuid)
    {
        switch (element.Type)
        {
            case BsonTypeCode.Document:
                if (element.Value.Length > 5)
                {
                    Present++;
                    if (depth < maxDepth)
                    {
                        ObserveDocument(element.Value, depth, maxDepth, root: false, uuid);
                    }
                    else
                    {
                        Documents++;
                    }
                }

                return;
            case BsonTypeCode.Array:
                if (element.Value.Length > 5)
                {
                    Present++;
                    ObserveArray(element.Value, depth, maxDepth, uuid);
                }

                return;
            default:
                Present++;
                Scalars++;
                Values = Values is { } seen ? ColumnType.Widen(seen, ValueClassifier.Classify(element, uuid)) : ValueClassifier.Classify(element, uuid);
                ScalarKinds |= 1 << (int)(ValueClassifier.ScalarKind(element, uuid) ?? ColumnKind.String);
                Flag(element);
                return;
        }
    }

    private void ObserveArray(ReadOnlySpan<byte> array, int depth, int maxDepth, LegacyUuid uuid)
    {
        var reader = new BsonElementReader(array);
        var allDocuments = true;
        while (reader.MoveNext())
        {
            allDocuments &= reader.Current.Type == BsonTypeCode.Document;
        }

        if (allDocuments)
        {
            DocumentArrays++;
            var elements = Elements ??= new PathStats();
            var items = new BsonElementReader(array);
            while (items.MoveNext())
            {
                elements.Present++;
                elements.ObserveDocument(items.Current.Value, depth, maxDepth, root: false, uuid);
            }

            return;
        }

        OtherArrays++;
        var type = ValueClassifier.ClassifyArray(array, uuid);
        Values = Values is { } seen ? ColumnType.Widen(seen, type) : type;
        var elementsReader = new BsonElementReader(array);
        while (elementsReader.MoveNext())
        {
            var item = elementsReader.Current;
            if (item.Type is BsonTypeCode.Document or BsonTypeCode.Array || ValueClassifier.IsNull(item.Type))
            {
                ElementOther = true;
                continue;
            }

            ElementKinds |= 1 << (int)(ValueClassifier.ScalarKind(item, uuid) ?? ColumnKind.String);
            Flag(item);
        }
    }

    private void Flag(in RawElement element)
    {
        switch (element.Type)
        {
            case BsonTypeCode.Int64 when !TypeFit.ExactDouble(element.Int64Value):
                BigInt = true;
                break;
            case BsonTypeCode.Double when !TypeFit.ExactLong(element.DoubleValue):
                Fraction = true;
                break;
            case BsonTypeCode.DateTime when !ValueClassifier.DateInRange(element.Int64Value):
                OutOfRangeDates++;
                break;
        }
    }

    /// <summary>The distinct keys first seen in the second half of this sub-document's occurrences.</summary>
    public int LateKeys() => Children.Values.Count(c => c.FirstSeen > Documents / 2);
}
