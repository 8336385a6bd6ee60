using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>A position in an <see cref="IdIndex"/>: a chunk and an offset in it.</summary>
internal readonly record struct IndexPosition(int Chunk, int Offset);

/// <summary>
/// Documents ordered by <c>_id</c> in MongoDB's comparison order: a list of sorted chunks, so
/// appends (increasing ObjectIds) are O(1), random inserts move at most one chunk, and a range
/// query seeks by binary search. Not thread-safe: the owning collection locks around it.
/// </summary>
internal sealed class IdIndex
{
    private const int ChunkSize = 1024;
    private readonly List<List<StoredDocument>> _chunks = [];

    public int Count { get; private set; }

    /// <summary>Changes on every write, so views derived from the index know when they are stale.</summary>
    public long Version { get; private set; }

    public static IndexPosition Start => new(0, 0);

    public IndexPosition End => new(_chunks.Count, 0);

    public IndexPosition Last => _chunks.Count == 0 ? new(-1, 0) : new(_chunks.Count - 1, _chunks[^1].Count - 1);

    public StoredDocument this[IndexPosition position] => _chunks[position.Chunk][position.Offset];

    public bool IsValid(IndexPosition p) => p.Chunk >= 0 && p.Chunk < _chunks.Count && p.Offset >= 0 && p.Offset < _chunks[p.Chunk].Count;

    public IndexPosition Next(IndexPosition p)
    {
        var offset = p.Offset + 1;
        return offset < _chunks[p.Chunk].Count ? new(p.Chunk, offset) : new(p.Chunk + 1, 0);
    }

    public IndexPosition Previous(IndexPosition p)
    {
        if (p.Offset > 0)
        {
            return new(p.Chunk, p.Offset - 1);
        }
        var chunk = p.Chunk - 1;
        return chunk >= 0 ? new(chunk, _chunks[chunk].Count - 1) : new(-1, 0);
    }

    /// <summary>
    /// The position <paramref name="n"/> documents after <paramref name="p"/> (before it when
    /// <paramref name="backward"/>), a whole chunk at a time: skipping costs chunks, not documents.
    /// Past either end it returns a position that is not valid.
    /// </summary>
    public IndexPosition Advance(IndexPosition p, long n, bool backward)
    {
        if (!IsValid(p))
        {
            return p;
        }
        if (backward)
        {
            var (chunk, offset) = (p.Chunk, (long)p.Offset);
            while (chunk >= 0 && n > offset)
            {
                n -= offset + 1;
                chunk--;
                offset = chunk >= 0 ? _chunks[chunk].Count - 1 : 0;
            }
            return chunk < 0 ? new(-1, 0) : new(chunk, (int)(offset - n));
        }
        var (c, o) = (p.Chunk, p.Offset + n);
        while (c < _chunks.Count && o >= _chunks[c].Count)
        {
            o -= _chunks[c].Count;
            c++;
        }
        return c < _chunks.Count ? new(c, (int)o) : End;
    }

    /// <summary>First position whose id is &gt;= key (or &gt; key when <paramref name="exclusive"/>); <see cref="End"/> when none.</summary>
    public IndexPosition SeekForward(BsonValue key, bool exclusive)
    {
        var chunk = FindChunk(key, exclusive);
        if (chunk == _chunks.Count)
        {
            return End;
        }
        var offset = LowerBound(_chunks[chunk], key, exclusive);
        return offset < _chunks[chunk].Count ? new(chunk, offset) : new(chunk + 1, 0);
    }

    /// <summary>Last position whose id is &lt;= key (or &lt; key when <paramref name="exclusive"/>); chunk -1 when none.</summary>
    public IndexPosition SeekBackward(BsonValue key, bool exclusive)
    {
        var forward = SeekForward(key, !exclusive);
        return forward.Chunk == _chunks.Count ? Last : Previous(forward);
    }

    public bool TryGet(BsonValue id, out StoredDocument document)
    {
        var p = SeekForward(id, exclusive: false);
        if (IsValid(p) && BsonOrder.CompareValues(this[p].Id, id) == 0)
        {
            document = this[p];
            return true;
        }
        document = null!;
        return false;
    }

    /// <summary>Adds a document; false when one with an equal <c>_id</c> exists.</summary>
    public bool TryAdd(StoredDocument document)
    {
        Version++;
        if (_chunks.Count == 0)
        {
            _chunks.Add(new List<StoredDocument>(ChunkSize) { document });
            Count++;
            return true;
        }
        var lastChunk = _chunks[^1];
        var c = BsonOrder.CompareValues(document.Id, lastChunk[^1].Id);
        if (c > 0)
        {
            if (lastChunk.Count < ChunkSize)
            {
                lastChunk.Add(document);
            }
            else
            {
                _chunks.Add(new List<StoredDocument>(ChunkSize) { document });
            }
            Count++;
            return true;
        }
        if (c == 0)
        {
            return false;
        }
        var chunkIndex = FindChunk(document.Id, exclusive: false);
        var chunk = _chunks[chunkIndex];
        var offset = LowerBound(chunk, document.Id, exclusive: false);
        if (offset < chunk.Count && BsonOrder.CompareValues(chunk[offset].Id, document.Id) == 0)
        {
            return false;
        }
        chunk.Insert(offset, document);
        Count++;
        if (chunk.Count > ChunkSize)
        {
            var half = chunk.Count / 2;
            var tail = chunk.GetRange(half, chunk.Count - half);
            chunk.RemoveRange(half, chunk.Count - half);
            _chunks.Insert(chunkIndex + 1, tail);
        }
        return true;
    }

    /// <summary>Replaces the document with the same <c>_id</c>.</summary>
    public void Replace(StoredDocument document)
    {
        Version++;
        var p = SeekForward(document.Id, exclusive: false);
        _chunks[p.Chunk][p.Offset] = document;
    }

    public bool Remove(BsonValue id)
    {
        Version++;
        var p = SeekForward(id, exclusive: false);
        if (!IsValid(p) || BsonOrder.CompareValues(this[p].Id, id) != 0)
        {
            return false;
        }
        var chunk = _chunks[p.Chunk];
        chunk.RemoveAt(p.Offset);
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(p.Chunk);
        }
        Count--;
        return true;
    }

    public void Clear()
    {
        Version++;
        _chunks.Clear();
        Count = 0;
    }

    // First chunk whose last id is >= key (> key when exclusive).
    private int FindChunk(BsonValue key, bool exclusive)
    {
        int lo = 0, hi = _chunks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = BsonOrder.CompareValues(_chunks[mid][^1].Id, key);
            if (c < 0 || (exclusive && c == 0))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static int LowerBound(List<StoredDocument> chunk, BsonValue key, bool exclusive)
    {
        int lo = 0, hi = chunk.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = BsonOrder.CompareValues(chunk[mid].Id, key);
            if (c < 0 || (exclusive && c == 0))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
