using System.Text;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>Where a filter or sort reads top-level fields from: raw stored bytes or a materialized document.</summary>
internal interface IFieldSource
{
    bool TryGetField(FieldPath path, out BsonValue value);
}

/// <summary>Top-level fields read directly from BSON bytes, decoding only the field asked for.</summary>
internal readonly struct RawFieldSource(ReadOnlyMemory<byte> bytes) : IFieldSource
{
    public bool TryGetField(FieldPath path, out BsonValue value) => RawBson.TryGetValue(bytes.Span, path.Utf8Head, out value);
}

internal sealed class DocumentFieldSource(BsonDocument document) : IFieldSource
{
    public bool TryGetField(FieldPath path, out BsonValue value) => document.TryGetValue(path.Segments[0], out value);
}

/// <summary>A dotted field path, split once, with its first segment pre-encoded for raw lookups.</summary>
internal sealed class FieldPath
{
    public FieldPath(string dotted)
    {
        Dotted = dotted;
        Segments = dotted.Split('.');
        Utf8Head = Encoding.UTF8.GetBytes(Segments[0]);
    }

    public string Dotted { get; }

    public string[] Segments { get; }

    public byte[] Utf8Head { get; }

    /// <summary>
    /// Every value the path reaches, MongoDB-style: through arrays of subdocuments, by numeric
    /// index into arrays, and (at the leaf) both an array and, when <paramref name="expandLeafArrays"/>,
    /// each of its elements.
    /// </summary>
    public void Collect<TSource>(TSource source, List<BsonValue> output, bool expandLeafArrays = true)
        where TSource : IFieldSource
    {
        if (source.TryGetField(this, out var top))
        {
            Walk(top, 1, output, expandLeafArrays);
        }
    }

    private void Walk(BsonValue current, int index, List<BsonValue> output, bool expandLeafArrays)
    {
        if (index == Segments.Length)
        {
            output.Add(current);
            if (expandLeafArrays && current is BsonArray leafArray)
            {
                output.AddRange(leafArray);
            }
            return;
        }
        var segment = Segments[index];
        if (current is BsonDocument doc)
        {
            if (doc.TryGetValue(segment, out var next))
            {
                Walk(next, index + 1, output, expandLeafArrays);
            }
        }
        else if (current is BsonArray array)
        {
            if (int.TryParse(segment, out var position) && position >= 0 && position < array.Count)
            {
                Walk(array[position], index + 1, output, expandLeafArrays);
            }
            foreach (var element in array)
            {
                if (element is BsonDocument elementDoc && elementDoc.TryGetValue(segment, out var next))
                {
                    Walk(next, index + 1, output, expandLeafArrays);
                }
            }
        }
    }

    /// <summary>
    /// The keys an index on this path holds for a document, as mongod generates them: a missing field
    /// is null, an array at the end of the path gives one key per element (an empty array gives
    /// undefined), an array on the way gives the path's value in each element (null where missing).
    /// Returns true when the path went through an array (the index becomes multikey).
    /// </summary>
    public bool KeyValues<TSource>(TSource source, List<BsonValue> output)
        where TSource : IFieldSource
    {
        if (!source.TryGetField(this, out var top))
        {
            output.Add(BsonNull.Value);
            return false;
        }
        return KeyWalk(top, 1, output);
    }

    private bool KeyWalk(BsonValue current, int index, List<BsonValue> output)
    {
        if (index == Segments.Length)
        {
            if (current is not BsonArray leaf)
            {
                output.Add(current);
                return false;
            }
            if (leaf.Count == 0)
            {
                output.Add(BsonUndefined.Value);
            }
            output.AddRange(leaf);
            return true;
        }
        var segment = Segments[index];
        switch (current)
        {
            case BsonDocument doc:
                if (doc.TryGetValue(segment, out var next))
                {
                    return KeyWalk(next, index + 1, output);
                }
                output.Add(BsonNull.Value);
                return false;
            case BsonArray array when int.TryParse(segment, out var position) && position >= 0:
                if (position < array.Count)
                {
                    return KeyWalk(array[position], index + 1, output);
                }
                output.Add(BsonNull.Value);
                return false;
            case BsonArray array:
                if (array.Count == 0)
                {
                    output.Add(BsonUndefined.Value);
                }
                foreach (var element in array)
                {
                    if (element is BsonDocument)
                    {
                        KeyWalk(element, index, output);
                    }
                    else
                    {
                        output.Add(BsonNull.Value);
                    }
                }
                return true;
            default:
                output.Add(BsonNull.Value);
                return false;
        }
    }

    /// <summary>
    /// The value a sort uses, from the same keys an index would hold: the least (ascending) or greatest
    /// (descending) of them. So a missing field sorts as null and an empty array as undefined, below null.
    /// </summary>
    public BsonValue SortKey<TSource>(TSource source, bool descending, List<BsonValue> scratch)
        where TSource : IFieldSource
    {
        scratch.Clear();
        KeyValues(source, scratch);
        var best = scratch[0];
        for (var i = 1; i < scratch.Count; i++)
        {
            var c = BsonOrder.CompareValues(scratch[i], best);
            if (descending ? c > 0 : c < 0)
            {
                best = scratch[i];
            }
        }
        return best;
    }
}
