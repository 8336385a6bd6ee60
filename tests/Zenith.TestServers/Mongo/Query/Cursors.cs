using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>An open server-side cursor; each batch is written straight into the reply buffer.</summary>
internal abstract class ServerCursor(string ns)
{
    public long Id { get; set; }

    public string Namespace { get; } = ns;

    /// <summary>When a command last used the cursor (Unix milliseconds of the server's clock).</summary>
    public long LastUsed { get; set; }

    /// <summary>Opened with noCursorTimeout: never closed for being idle.</summary>
    public bool NoTimeout { get; set; }

    /// <summary>True while a command uses the cursor (an idle check never closes it then).</summary>
    public bool InUse { get; set; }

    /// <summary>Adds documents to <paramref name="batch"/>; returns true when the cursor has nothing more to give.</summary>
    public abstract bool Fill(BatchWriter batch);

    protected static ReadOnlyMemory<byte> Project(StoredDocument document, Projection? projection) =>
        projection is null ? document.Bytes : projection.Apply(document.Bytes);
}

/// <summary>
/// A find answered by scanning its plan lazily: each batch resumes the scan where the last one
/// stopped (see <see cref="PlanScan"/>), so a cursor over millions of documents holds no snapshot
/// and costs work in proportion to what it returns.
/// </summary>
internal sealed class PlanCursor(
    string ns, CollectionStore collection, QueryPlan plan, Filter? filter, long skip, long limit, Projection? projection)
    : ServerCursor(ns)
{
    private readonly PlanScan _scan = new(collection, plan);
    private long _toSkip = skip;
    private long _returned;

    public override bool Fill(BatchWriter batch)
    {
        lock (collection.Sync)
        {
            if (collection.Dropped)
            {
                throw new Commands.CommandException(175, "QueryPlanKilled", "collection dropped");
            }
            return _scan.Run(record =>
            {
                var document = record.Document;
                if (filter is not null && !filter.Matches(new RawFieldSource(document.Bytes)))
                {
                    return ScanStep.Continue;
                }
                if (_toSkip > 0)
                {
                    _toSkip--;
                    return ScanStep.Continue;
                }
                if (!batch.TryAdd(Project(document, projection).Span))
                {
                    return ScanStep.Retry;
                }
                if (limit > 0 && ++_returned >= limit)
                {
                    return ScanStep.Done;
                }
                // As mongod, a full batch stops the scan without looking further: whether more
                // documents follow is learnt by the next getMore.
                return batch.IsFull ? ScanStep.Pause : ScanStep.Continue;
            });
        }
    }
}

/// <summary>A cursor over a result computed up front (sorted finds, aggregation, listings).</summary>
internal sealed class ListCursor(string ns, IReadOnlyList<StoredDocument> documents, Projection? projection) : ServerCursor(ns)
{
    private int _position;

    /// <summary>
    /// Whether a full batch tells the client the cursor is exhausted: true for listings (mongod's queued
    /// results know their end), false for sorted finds and aggregations, which learn it on the next getMore.
    /// </summary>
    public bool KnowsItsEnd { get; init; }

    public override bool Fill(BatchWriter batch)
    {
        while (_position < documents.Count)
        {
            if (!batch.TryAdd(Project(documents[_position], projection).Span))
            {
                return false;
            }
            _position++;
            if (batch.IsFull && !KnowsItsEnd)
            {
                return false;
            }
        }
        return true;
    }

    public static ListCursor Of(string ns, IEnumerable<BsonDocument> documents, bool knowsItsEnd = false) =>
        new(ns, [.. documents.Select(d => new StoredDocument(BsonNull.Value, d.ToBson()))], null) { KnowsItsEnd = knowsItsEnd };
}
