namespace Zenith.TestServers.Mongo.Storage;

/// <summary>A position in an <see cref="OrderedChunks{T}"/>: a chunk and an offset in it. Valid until the next write.</summary>
internal readonly record struct ChunkPosition(int Chunk, int Offset);

/// <summary>
/// Items kept sorted by a comparer in a list of chunks: appends (increasing keys) are O(1), an insert
/// in the middle moves at most one chunk, and seeks are binary searches. It backs both the record
/// store (by record id) and every index (by key). Not thread-safe: the owning collection locks around it.
/// </summary>
internal sealed class OrderedChunks<T>(IComparer<T> comparer)
{
    private const int ChunkSize = 1024;
    private readonly List<List<T>> _chunks = [];

    public int Count { get; private set; }

    public static ChunkPosition Start => new(0, 0);

    public ChunkPosition End => new(_chunks.Count, 0);

    public ChunkPosition Last => _chunks.Count == 0 ? new(-1, 0) : new(_chunks.Count - 1, _chunks[^1].Count - 1);

    public T this[ChunkPosition position] => _chunks[position.Chunk][position.Offset];

    public bool IsValid(ChunkPosition p) => p.Chunk >= 0 && p.Chunk < _chunks.Count && p.Offset >= 0 && p.Offset < _chunks[p.Chunk].Count;

    public ChunkPosition Next(ChunkPosition p)
    {
        var offset = p.Offset + 1;
        return offset < _chunks[p.Chunk].Count ? new(p.Chunk, offset) : new(p.Chunk + 1, 0);
    }

    public ChunkPosition Previous(ChunkPosition p)
    {
        if (p.Offset > 0)
        {
            return new(p.Chunk, p.Offset - 1);
        }
        var chunk = p.Chunk - 1;
        return chunk >= 0 ? new(chunk, _chunks[chunk].Count - 1) : new(-1, 0);
    }

    public ChunkPosition Step(ChunkPosition p, bool backward) => backward ? Previous(p) : Next(p);

    /// <summary>
    /// The position <paramref name="n"/> items after <paramref name="p"/> (before it when
    /// <paramref name="backward"/>), a whole chunk at a time: skipping costs chunks, not items.
    /// </summary>
    public ChunkPosition Advance(ChunkPosition p, long n, bool backward)
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

    /// <summary>
    /// The first position whose item satisfies <paramref name="atOrAfter"/>, which must be false for a
    /// prefix of the items and true for the rest; <see cref="End"/> when no item does.
    /// </summary>
    public ChunkPosition SeekFirst(Func<T, bool> atOrAfter)
    {
        int lo = 0, hi = _chunks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (atOrAfter(_chunks[mid][^1]))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        if (lo == _chunks.Count)
        {
            return End;
        }
        var items = _chunks[lo];
        int a = 0, b = items.Count;
        while (a < b)
        {
            var mid = (a + b) >>> 1;
            if (atOrAfter(items[mid]))
            {
                b = mid;
            }
            else
            {
                a = mid + 1;
            }
        }
        return new(lo, a);
    }

    /// <summary>The last position whose item does not satisfy <paramref name="atOrAfter"/> (chunk -1 when none).</summary>
    public ChunkPosition SeekLastBefore(Func<T, bool> atOrAfter)
    {
        var first = SeekFirst(atOrAfter);
        return first.Chunk == _chunks.Count ? Last : Previous(first);
    }

    /// <summary>The position of an item equal to <paramref name="item"/> under the comparer, if any.</summary>
    public bool TryFind(T item, out ChunkPosition position)
    {
        position = SeekFirst(x => comparer.Compare(x, item) >= 0);
        return IsValid(position) && comparer.Compare(this[position], item) == 0;
    }

    /// <summary>Adds an item; false (nothing added) when an equal one exists.</summary>
    public bool TryAdd(T item)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add(new List<T>(ChunkSize) { item });
            Count++;
            return true;
        }
        var lastChunk = _chunks[^1];
        var c = comparer.Compare(item, lastChunk[^1]);
        if (c > 0)
        {
            if (lastChunk.Count < ChunkSize)
            {
                lastChunk.Add(item);
            }
            else
            {
                _chunks.Add(new List<T>(ChunkSize) { item });
            }
            Count++;
            return true;
        }
        if (c == 0 || TryFind(item, out _))
        {
            return false;
        }
        var p = SeekFirst(x => comparer.Compare(x, item) >= 0);
        var chunk = _chunks[p.Chunk];
        chunk.Insert(p.Offset, item);
        Count++;
        if (chunk.Count > ChunkSize)
        {
            var half = chunk.Count / 2;
            var tail = chunk.GetRange(half, chunk.Count - half);
            chunk.RemoveRange(half, chunk.Count - half);
            _chunks.Insert(p.Chunk + 1, tail);
        }
        return true;
    }

    /// <summary>Puts <paramref name="item"/> in place of the equal item at <paramref name="position"/>.</summary>
    public void Set(ChunkPosition position, T item) => _chunks[position.Chunk][position.Offset] = item;

    public bool Remove(T item)
    {
        if (!TryFind(item, out var p))
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
        _chunks.Clear();
        Count = 0;
    }

    public IEnumerable<T> Items()
    {
        foreach (var chunk in _chunks)
        {
            foreach (var item in chunk)
            {
                yield return item;
            }
        }
    }
}
