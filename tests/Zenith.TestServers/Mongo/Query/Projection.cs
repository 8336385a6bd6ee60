using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>An inclusion or exclusion projection with dotted paths; <c>_id</c> is kept unless excluded.</summary>
internal sealed class Projection
{
    private readonly bool _inclusive;
    private readonly bool _includeId;
    private readonly List<string[]> _paths;

    // UTF-8 names of the paths when every path is a top-level field: then stored bytes are projected without decoding.
    private readonly byte[][]? _topLevelNames;

    private Projection(bool inclusive, bool includeId, List<string[]> paths)
    {
        _inclusive = inclusive;
        _includeId = includeId;
        _paths = paths;
        _topLevelNames = paths.TrueForAll(p => p.Length == 1) ? [.. paths.Select(p => System.Text.Encoding.UTF8.GetBytes(p[0]))] : null;
    }

    public static Projection? Parse(BsonDocument? spec)
    {
        if (spec is null || spec.ElementCount == 0)
        {
            return null;
        }
        bool? inclusive = null;
        var includeId = true;
        var paths = new List<string[]>();
        foreach (var element in spec)
        {
            if (element.Value is not (BsonBoolean or BsonInt32 or BsonInt64 or BsonDouble or BsonDecimal128))
            {
                throw CommandException.NotImplemented($"projection of {element.Name}: only inclusion (1/true) and exclusion (0/false) are supported");
            }
            var include = element.Value.ToBoolean();
            if (element.Name == "_id")
            {
                includeId = include;
                continue;
            }
            if (inclusive is not null && inclusive != include)
            {
                throw new CommandException(31254, "Location31254", $"Cannot do {(include ? "inclusion" : "exclusion")} on field {element.Name} in {(include ? "exclusion" : "inclusion")} projection");
            }
            inclusive = include;
            paths.Add(element.Name.Split('.'));
        }
        // {_id: 1} alone is an inclusion (only _id comes back); {_id: 0} alone an exclusion.
        return new Projection(inclusive ?? includeId, includeId, paths);
    }

    /// <summary>Projects stored BSON; top-level fields are copied element by element, dotted paths go through <see cref="Apply(BsonDocument)"/>.</summary>
    public ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> stored)
    {
        if (_topLevelNames is null)
        {
            return Apply(RawBson.ToDocument(stored)).ToBson();
        }
        var doc = stored.Span;
        var output = new byte[doc.Length];
        var length = 4;
        if (_inclusive && _includeId && RawBson.TryFindField(doc, "_id"u8, out _, out var idOffset, out var idSize))
        {
            // As MongoDB does, an inclusion puts _id first. Its element starts with the type byte before "_id\0".
            doc[(idOffset - 5)..(idOffset + idSize)].CopyTo(output.AsSpan(length));
            length += idSize + 5;
        }
        var end = doc.Length - 1;
        for (var pos = 4; pos < end;)
        {
            var start = pos;
            var type = doc[pos++];
            var name = doc[pos..(pos + doc[pos..].IndexOf((byte)0))];
            pos += name.Length + 1;
            pos += RawBson.ValueSize(type, doc[pos..]);
            bool keep;
            if (name.SequenceEqual("_id"u8))
            {
                keep = !_inclusive && _includeId;
            }
            else
            {
                var listed = false;
                foreach (var n in _topLevelNames)
                {
                    listed |= name.SequenceEqual(n);
                }
                keep = listed == _inclusive;
            }
            if (keep)
            {
                doc[start..pos].CopyTo(output.AsSpan(length));
                length += pos - start;
            }
        }
        output[length++] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(output, length);
        return output.AsMemory(0, length);
    }

    public BsonDocument Apply(BsonDocument document)
    {
        BsonDocument result;
        if (_inclusive)
        {
            result = [];
            if (_includeId && document.TryGetValue("_id", out var id))
            {
                result["_id"] = id;
            }
            // Keep the document's own field order, as MongoDB does.
            foreach (var element in document)
            {
                if (element.Name == "_id")
                {
                    continue;
                }
                var matching = _paths.Where(p => p[0] == element.Name).ToList();
                if (matching.Count == 0)
                {
                    continue;
                }
                var included = Include(element.Value, matching, 1);
                if (included is not null)
                {
                    result[element.Name] = included;
                }
            }
            return result;
        }
        result = document.DeepClone().AsBsonDocument;
        if (!_includeId)
        {
            result.Remove("_id");
        }
        foreach (var path in _paths)
        {
            Exclude(result, path, 0);
        }
        return result;
    }

    private static BsonValue? Include(BsonValue value, List<string[]> paths, int depth)
    {
        if (paths.Exists(p => p.Length == depth))
        {
            return value;
        }
        switch (value)
        {
            case BsonDocument doc:
                {
                    var result = new BsonDocument();
                    foreach (var element in doc)
                    {
                        var matching = paths.Where(p => p[depth] == element.Name).ToList();
                        if (matching.Count > 0 && Include(element.Value, matching, depth + 1) is { } included)
                        {
                            result[element.Name] = included;
                        }
                    }
                    return result;
                }
            case BsonArray array:
                return new BsonArray(array.Where(e => e is BsonDocument or BsonArray).Select(e => Include(e, paths, depth)).OfType<BsonValue>());
            default:
                return null;
        }
    }

    private static void Exclude(BsonValue value, string[] path, int depth)
    {
        if (value is BsonDocument doc)
        {
            if (depth == path.Length - 1)
            {
                doc.Remove(path[depth]);
            }
            else if (doc.TryGetValue(path[depth], out var child))
            {
                Exclude(child, path, depth + 1);
            }
        }
        else if (value is BsonArray array)
        {
            foreach (var element in array)
            {
                Exclude(element, path, depth);
            }
        }
    }
}
