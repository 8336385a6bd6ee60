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
    /// index into arrays, and (at the leaf) both an array and each of its elements.
    /// </summary>
    public void Collect<TSource>(TSource source, List<BsonValue> output)
        where TSource : IFieldSource
    {
        if (source.TryGetField(this, out var top))
        {
            Walk(top, 1, output);
        }
    }

    private void Walk(BsonValue current, int index, List<BsonValue> output)
    {
        if (index == Segments.Length)
        {
            output.Add(current);
            if (current is BsonArray leafArray)
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
                Walk(next, index + 1, output);
            }
        }
        else if (current is BsonArray array)
        {
            if (int.TryParse(segment, out var position) && position >= 0 && position < array.Count)
            {
                Walk(array[position], index + 1, output);
            }
            foreach (var element in array)
            {
                if (element is BsonDocument elementDoc && elementDoc.TryGetValue(segment, out var next))
                {
                    Walk(next, index + 1, output);
                }
            }
        }
    }

    /// <summary>The value a sort uses: missing is null; an array sorts by its least (ascending) or greatest (descending) element.</summary>
    public BsonValue SortKey<TSource>(TSource source, bool descending, List<BsonValue> scratch)
        where TSource : IFieldSource
    {
        scratch.Clear();
        Collect(source, scratch);
        if (scratch.Count == 1 && scratch[0] is not BsonArray)
        {
            return scratch[0];
        }
        BsonValue? best = null;
        foreach (var v in scratch)
        {
            if (v is BsonArray)
            {
                continue;
            }
            if (best is null)
            {
                best = v;
                continue;
            }
            var c = BsonOrder.CompareValues(v, best);
            if (descending ? c > 0 : c < 0)
            {
                best = v;
            }
        }
        return best ?? BsonNull.Value;
    }
}
