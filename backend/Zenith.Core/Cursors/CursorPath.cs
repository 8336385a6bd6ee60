using System.Text;
using Zenith.Core.Bson;

namespace Zenith.Core.Cursors;

public enum CursorValueKind
{
    /// <summary>No value at the path: MongoDB sorts the document with nulls (and <c>{field: null}</c> matches it).</summary>
    Missing,

    /// <summary>One value at the path (null included).</summary>
    Value,

    /// <summary>
    /// The path is, or goes through, an array: MongoDB sorts such a document by its smallest element and <c>$gt</c> matches it
    /// when any element is greater, so it has no single position. Zenith copies it but never keeps a checkpoint on it.
    /// </summary>
    Array,
}

/// <summary>What a cursor path reaches in one raw document: the element's type and value bytes (no copy).</summary>
public readonly ref struct CursorValue(CursorValueKind kind, byte type, ReadOnlySpan<byte> value)
{
    public CursorValueKind Kind { get; } = kind;

    /// <summary>The BSON type byte (0 when missing).</summary>
    public byte Type { get; } = type;

    public ReadOnlySpan<byte> Value { get; } = value;

    /// <summary>The type bracket MongoDB sorts this value in (missing sorts as null).</summary>
    public TypeBracket Bracket => Kind == CursorValueKind.Missing ? TypeBracket.Null : TypeBrackets.Of(Type);
}

/// <summary>
/// A dotted field path (<c>meta.updated_at</c>) resolved over raw BSON as MongoDB resolves it for a sort key: through embedded
/// documents; a missing step, or a step into a scalar, is a missing value; any array on the way makes it an array value.
/// </summary>
public sealed class CursorPath
{
    private readonly byte[][] segments;

    public CursorPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        segments = [.. path.Split('.').Select(Encoding.UTF8.GetBytes)];
    }

    public static CursorPath Id { get; } = new("_id");

    public string Path { get; }

    public CursorValue Resolve(ReadOnlySpan<byte> document)
    {
        var current = document;
        for (var i = 0; i < segments.Length; i++)
        {
            var reader = new BsonElementReader(current);
            var found = false;
            while (reader.MoveNext())
            {
                if (!reader.Current.Name.SequenceEqual(segments[i]))
                {
                    continue;
                }

                var element = reader.Current;
                if (element.Type == BsonTypeCode.Array)
                {
                    return new CursorValue(CursorValueKind.Array, element.Type, element.Value);
                }

                if (i == segments.Length - 1)
                {
                    return new CursorValue(CursorValueKind.Value, element.Type, element.Value);
                }

                if (element.Type != BsonTypeCode.Document)
                {
                    return default;
                }

                current = element.Value;
                found = true;
                break;
            }

            if (!found)
            {
                return default;
            }
        }

        return default;
    }
}
