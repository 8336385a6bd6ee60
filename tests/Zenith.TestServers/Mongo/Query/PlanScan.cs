using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>What a consumer did with a record a scan handed it.</summary>
internal enum ScanStep
{
    /// <summary>Taken or passed over; go on.</summary>
    Continue,

    /// <summary>Not taken (the batch has no room): hand it out again when the scan resumes.</summary>
    Retry,

    /// <summary>Taken, and the batch is now full: pause, resuming after it.</summary>
    Pause,

    /// <summary>The consumer wants nothing more.</summary>
    Done,
}

/// <summary>
/// Walks a plan's records in plan order and can resume: each <see cref="Run"/> re-seeks after the
/// last record it handed out (at it, after a <see cref="ScanStep.Retry"/>), in the index or in the
/// record store, so a cursor holds no snapshot and sees the writes made between its batches, as an
/// index scan in mongod does between yields. The caller holds the collection's lock during a run.
/// </summary>
internal sealed class PlanScan(CollectionStore collection, QueryPlan plan)
{
    private IndexEntry? _last;
    private long _lastRecordId = -1;
    private bool _resumeAtLast;
    private int _interval;
    private HashSet<long>? _seen;

    public long KeysExamined { get; private set; }

    public long DocsExamined { get; private set; }

    /// <summary>Hands records to <paramref name="visit"/>; true when the scan is exhausted or the consumer is done.</summary>
    public bool Run(Func<Record, ScanStep> visit) =>
        plan.Index is null ? RunCollection(visit) : RunIndex(plan.Index, plan.Bounds!.Intervals, visit);

    private bool RunCollection(Func<Record, ScanStep> visit)
    {
        var records = collection.Records;
        var backward = plan.Backward;
        ChunkPosition p;
        if (_lastRecordId < 0)
        {
            p = backward ? records.Last : OrderedChunks<Record>.Start;
        }
        else
        {
            var (last, inclusive) = (_lastRecordId, _resumeAtLast);
            p = backward
                ? records.SeekLastBefore(r => inclusive ? r.RecordId > last : r.RecordId >= last)
                : records.SeekFirst(r => inclusive ? r.RecordId >= last : r.RecordId > last);
        }
        for (; records.IsValid(p); p = records.Step(p, backward))
        {
            var record = records[p];
            if ((++DocsExamined & 1023) == 0)
            {
                OperationDeadline.Check();
            }
            var step = visit(record);
            _lastRecordId = record.RecordId;
            _resumeAtLast = step == ScanStep.Retry;
            if (step != ScanStep.Continue)
            {
                return step == ScanStep.Done;
            }
        }
        return true;
    }

    private bool RunIndex(CollectionIndex index, List<KeyInterval> intervals, Func<Record, ScanStep> visit)
    {
        var entries = index.Entries;
        var order = index.Order;
        var backward = plan.Backward;
        if (index.IsMultikey)
        {
            _seen ??= [];
        }
        for (; _interval < intervals.Count; _interval++, _last = null)
        {
            var interval = intervals[backward ? intervals.Count - 1 - _interval : _interval];
            var p = Seek(entries, order, interval, backward);
            for (; entries.IsValid(p); p = entries.Step(p, backward))
            {
                var entry = entries[p];
                var outside = backward ? interval.Start.CompareKey(order, entry.Key) < 0 : interval.End.CompareKey(order, entry.Key) > 0;
                if (outside)
                {
                    break;
                }
                if ((++KeysExamined & 1023) == 0)
                {
                    OperationDeadline.Check();
                }
                if (_seen is not null && !_seen.Add(entry.Record.RecordId))
                {
                    continue;
                }
                DocsExamined++;
                var step = visit(entry.Record);
                (_last, _resumeAtLast) = (entry, step == ScanStep.Retry);
                if (step == ScanStep.Retry)
                {
                    _seen?.Remove(entry.Record.RecordId);
                }
                if (step != ScanStep.Continue)
                {
                    return step == ScanStep.Done;
                }
            }
        }
        return true;
    }

    // The first entry of the interval in scan order, after the last one handed out.
    private ChunkPosition Seek(OrderedChunks<IndexEntry> entries, KeyOrder order, KeyInterval interval, bool backward)
    {
        var last = _last;
        var inclusive = _resumeAtLast;
        int CompareToLast(IndexEntry e)
        {
            var c = order.CompareKeys(e.Key, last!.Value.Key);
            return c != 0 ? c : e.Record.RecordId.CompareTo(last.Value.Record.RecordId);
        }
        if (!backward)
        {
            return entries.SeekFirst(e => interval.Start.CompareKey(order, e.Key) > 0
                && (last is null || (inclusive ? CompareToLast(e) >= 0 : CompareToLast(e) > 0)));
        }
        return entries.SeekLastBefore(e => interval.End.CompareKey(order, e.Key) > 0
            || (last is not null && (inclusive ? CompareToLast(e) > 0 : CompareToLast(e) >= 0)));
    }
}
