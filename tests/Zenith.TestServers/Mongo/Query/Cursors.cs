using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>An open server-side cursor; each batch is written straight into the reply buffer.</summary>
internal abstract class ServerCursor(string ns)
{
    public long Id { get; set; }

    public string Namespace { get; } = ns;

    public long LastUsed { get; set; } = Environment.TickCount64;

    /// <summary>Adds documents to <paramref name="batch"/>; returns true when the cursor has nothing more to give.</summary>
    public abstract bool Fill(BatchWriter batch);

    protected static ReadOnlyMemory<byte> Project(StoredDocument document, Projection? projection) =>
        projection is null ? document.Bytes : projection.Apply(document.Bytes);
}

/// <summary>
/// Walks the <c>_id</c> index lazily: each batch re-seeks after the last document returned,
/// so a cursor over millions of documents holds no snapshot and sees a consistent order. When
/// the filter names the only ids that can match (equality, <c>$in</c>), it looks those up instead.
/// </summary>
internal sealed class IdScanCursor(
    string ns, CollectionStore collection, Filter? filter, IdRange range, bool descending, long skip, long limit, Projection? projection)
    : ServerCursor(ns)
{
    private BsonValue? _resumeId;
    private int _nextPoint;
    private long _toSkip = skip;
    private long _returned;

    public override bool Fill(BatchWriter batch)
    {
        lock (collection.Sync)
        {
            return range.Points is { } points ? FillPoints(batch, points) : FillRange(batch);
        }
    }

    private bool FillPoints(BatchWriter batch, IReadOnlyList<BsonValue> points)
    {
        var index = collection.Index;
        for (; _nextPoint < points.Count; _nextPoint++)
        {
            var id = points[descending ? points.Count - 1 - _nextPoint : _nextPoint];
            if (!index.TryGet(id, out var document))
            {
                continue;
            }
            switch (Offer(batch, document))
            {
                case Outcome.Full:
                    return false;
                case Outcome.Done:
                    return true;
            }
        }
        return true;
    }

    private bool FillRange(BatchWriter batch)
    {
        var index = collection.Index;
        var p = Begin(index);
        if (filter is null && _toSkip > 0)
        {
            // Every document in the range counts toward the skip: jump over them.
            p = index.Advance(p, _toSkip, descending);
            _toSkip = 0;
        }
        while (index.IsValid(p))
        {
            var document = index[p];
            if (PastEnd(document.Id))
            {
                return true;
            }
            switch (Offer(batch, document))
            {
                case Outcome.Full:
                    _resumeId = document.Id;
                    return false;
                case Outcome.Done:
                    return true;
            }
            p = descending ? index.Previous(p) : index.Next(p);
        }
        return true;
    }

    private enum Outcome
    {
        Continue,
        Full,
        Done,
    }

    // Filters, skips, adds; Full means the document did not fit and must be offered again next batch.
    private Outcome Offer(BatchWriter batch, StoredDocument document)
    {
        if (filter is not null && !filter.Matches(new RawFieldSource(document.Bytes)))
        {
            return Outcome.Continue;
        }
        if (_toSkip > 0)
        {
            _toSkip--;
            return Outcome.Continue;
        }
        if (batch.IsFull || !batch.TryAdd(Project(document, projection).Span))
        {
            return Outcome.Full;
        }
        return limit > 0 && ++_returned >= limit ? Outcome.Done : Outcome.Continue;
    }

    private IndexPosition Begin(IdIndex index)
    {
        if (_resumeId is not null)
        {
            return descending ? index.SeekBackward(_resumeId, exclusive: false) : index.SeekForward(_resumeId, exclusive: false);
        }
        if (descending)
        {
            return range.Upper is null ? index.Last : index.SeekBackward(range.Upper, range.UpperExclusive);
        }
        return range.Lower is null ? IdIndex.Start : index.SeekForward(range.Lower, range.LowerExclusive);
    }

    private bool PastEnd(BsonValue id)
    {
        var bound = descending ? range.Lower : range.Upper;
        if (bound is null)
        {
            return false;
        }
        var c = BsonOrder.CompareValues(id, bound);
        var exclusive = descending ? range.LowerExclusive : range.UpperExclusive;
        return descending ? (c < 0 || (c == 0 && exclusive)) : (c > 0 || (c == 0 && exclusive));
    }
}

/// <summary>A cursor over a result computed up front (sorted finds, aggregation, listings).</summary>
internal sealed class ListCursor(string ns, IReadOnlyList<StoredDocument> documents, Projection? projection) : ServerCursor(ns)
{
    private int _position;

    public override bool Fill(BatchWriter batch)
    {
        while (_position < documents.Count)
        {
            if (!batch.TryAdd(Project(documents[_position], projection).Span))
            {
                return false;
            }
            _position++;
        }
        return true;
    }

    public static ListCursor Of(string ns, IEnumerable<BsonDocument> documents) =>
        new(ns, [.. documents.Select(d => new StoredDocument(BsonNull.Value, d.ToBson()))], null);
}
