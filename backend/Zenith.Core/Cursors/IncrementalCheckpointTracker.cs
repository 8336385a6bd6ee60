using MongoDB.Bson;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// incremental_id and incremental_timestamp: a position per part (<see cref="PartKey"/>: a type bracket of the cursor), moved
/// only through settled keys (<see cref="SettleWindow"/>). A part whose keys carry a time moves to its last acknowledged key whose
/// time is settled. A part whose keys carry none keeps marks (key, first read) of what it read; a later run, whose query opened
/// after a mark settled, moves the part to that mark once it has re-read and acknowledged everything up to it: when it meets the
/// mark's key again, or when it has read to the end. Everything after the positions is copied anyway and read again next time.
/// (Over 300 lines: both incremental modes' settle rules in one pure, unit-tested place.)
/// </summary>
internal sealed class IncrementalCheckpointTracker : ICheckpointTracker
{
    /// <summary>Marks a part keeps at most; beyond it every other new one is dropped (fewer marks only settle later).</summary>
    private const int MaxMarks = 32;

    private readonly CursorPath? field;
    private readonly string label;
    private readonly SettleWindow window;
    private readonly TrackerSettings settings;
    private readonly SortedDictionary<PartKey, Live> parts = new(PartOrder.Instance);

    // What captures compare documents with: the marks stored before this run, fixed for the run (read from several threads).
    private readonly Dictionary<PartKey, (RawKey? Value, RawKey Id)[]> storedMarks = [];
    private long openedMillis = long.MinValue;
    private Checkpoint? current;
    private bool moved;
    private long farFuture;
    private long arrayValues;

    public IncrementalCheckpointTracker(ConnectorSpec connector, CursorState start, TrackerSettings settings)
    {
        field = connector.Mode == SyncMode.IncrementalTimestamp ? new CursorPath(connector.CursorField) : null;
        label = connector.CursorField;
        window = settings.Window;
        this.settings = settings;
        foreach (var part in start.Parts)
        {
            parts[part.Key] = new Live(part);
            if (part.Marks.Count > 0)
            {
                storedMarks[part.Key] = [.. part.Marks.Select(m => (RawKey.Of(m.Value), RawKey.Of(m.Id)!.Value))];
            }
        }
    }

    public TrackerFindings Findings => new(Interlocked.Read(ref farFuture), Interlocked.Read(ref arrayValues));

    public Checkpoint? Current => moved ? current ??= Build() : null;

    private bool HoldsBack => window.SettleMillis > 0;

    public void QueryOpened(DateTimeOffset at) => Volatile.Write(ref openedMillis, at.ToUnixTimeMilliseconds());

    public BatchPosition? Capture(RawDocumentBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var opened = Volatile.Read(ref openedMillis);
        if (opened == long.MinValue)
        {
            throw new InvalidOperationException("the tracker was asked to capture a batch before its query was opened");
        }

        if (batch.Count == 0)
        {
            return null;
        }

        var steps = new List<Step>(2);
        int future = 0, arrays = 0;
        var reader = new RawDocumentReader(batch.Documents);
        while (reader.MoveNext())
        {
            var document = reader.Current;
            var id = CursorPath.Id.Resolve(document);
            if (id.Kind != CursorValueKind.Value)
            {
                continue;
            }

            var value = field is null ? default : field.Resolve(document);
            if (value.Kind == CursorValueKind.Array)
            {
                arrays++;
                continue;
            }

            var key = KeyOf(value, id);
            var step = StepFor(steps, key);
            step.Last = reader.Offset;
            var timed = key.ById || field is null ? id : value;
            if (SettleWindow.KeyTimeMillis(timed.Type, timed.Value) is { } at)
            {
                if (window.IsFarFuture(at, opened))
                {
                    future++;
                }
                else if (window.IsSettled(at, opened))
                {
                    step.Settled = reader.Offset;
                }
            }
            else if (!HoldsBack)
            {
                step.Settled = reader.Offset;
            }

            if (storedMarks.TryGetValue(key, out var marks))
            {
                step.Met = Math.Max(step.Met, MarkAt(marks, key.ById ? default : value, id));
            }
        }

        if (steps.Count == 0 && arrays == 0)
        {
            return null;
        }

        return new Position([.. steps.Select(s => s.Resolve(batch.Documents, this))], future, arrays);
    }

    public bool Advance(BatchPosition? position)
    {
        if (position is not Position p)
        {
            return false;
        }

        Interlocked.Add(ref farFuture, p.FarFuture);
        Interlocked.Add(ref arrayValues, p.Arrays);
        var now = settings.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = false;
        foreach (var step in p.Steps)
        {
            if (!parts.TryGetValue(step.Key, out var live))
            {
                parts[step.Key] = live = new Live(new CursorPart(step.Key, null, null, []));
            }

            live.LastRead = step.Last;
            if (step.Key.HasTime || !HoldsBack)
            {
                if (step.Settled is { } settled)
                {
                    changed |= live.MoveTo(settled.Value, settled.Id);
                }

                continue;
            }

            if (step.Met >= 0)
            {
                live.PassedStored |= step.Met == live.Stored.Count - 1;
                changed |= Consume(live, step.Met);
            }

            if (live.PassedStored)
            {
                changed |= live.AddMark(step.Last, now, window.Settle);
            }
        }

        if (changed)
        {
            (moved, current) = (true, null);
        }

        return changed;
    }

    public Checkpoint? Complete()
    {
        // The query was read to its end and every batch acknowledged: every stored mark was passed.
        var now = settings.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = false;
        foreach (var live in parts.Values.Where(l => !l.Key.HasTime && HoldsBack))
        {
            changed |= Consume(live, live.Stored.Count - 1);

            // Where the run ended is a mark of its own, unless the newest stored key was never met (its document is gone):
            // then this run's last key may lie below it, and the next run marks as it goes instead.
            if (live.LastRead is { } last && live.PassedStored)
            {
                changed |= live.AddMark(last, now, TimeSpan.Zero);
            }
        }

        if (!changed)
        {
            return null;
        }

        (moved, current) = (true, null);
        return Current;
    }

    /// <summary>Moves the part to its newest settled stored mark up to <paramref name="upTo"/>, when that is past where it is.</summary>
    private bool Consume(Live live, int upTo)
    {
        var settledUpTo = -1;
        for (var i = 0; i <= upTo; i++)
        {
            if (window.IsSettledMark(live.Stored[i].FirstReadMillis, openedMillis))
            {
                settledUpTo = i;
            }
        }

        if (settledUpTo <= live.Consumed)
        {
            return false;
        }

        live.Consumed = settledUpTo;
        var mark = live.Stored[settledUpTo];
        live.MoveTo(mark.Value, mark.Id);
        return true;
    }

    private Checkpoint Build()
    {
        var state = new CursorState([.. parts.Values.Select(l => l.ToPart(HoldsBack)).Where(s => s.HasPosition || s.Marks.Count > 0)]);
        return new Checkpoint(state.ToJson(), CursorDisplay.Describe(field is null ? null : label, state), settings.Fingerprint, settings.VersionFloor);
    }

    private PartKey KeyOf(CursorValue value, CursorValue id)
    {
        var idBracket = TypeBrackets.Of(id.Type);
        if (field is null)
        {
            return new PartKey(null, idBracket);
        }

        var bracket = value.Bracket;
        return bracket.IsSingleValued() ? new PartKey(bracket, idBracket) : new PartKey(bracket, null);
    }

    private static Step StepFor(List<Step> steps, PartKey key)
    {
        foreach (var step in steps)
        {
            if (step.Key == key)
            {
                return step;
            }
        }

        var added = new Step(key);
        steps.Add(added);
        return added;
    }

    /// <summary>The newest stored mark whose key the document has, or -1.</summary>
    private static int MarkAt((RawKey? Value, RawKey Id)[] marks, CursorValue value, CursorValue id)
    {
        for (var i = marks.Length - 1; i >= 0; i--)
        {
            var (markValue, markId) = marks[i];
            if (markId.Matches(id.Type, id.Value) && (markValue is not { } v || v.Matches(value.Type, value.Value)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The key (cursor value, <c>_id</c>) of the document at <paramref name="offset"/>, as values to keep.</summary>
    private (BsonValue? Value, BsonValue Id) KeyAt(ReadOnlySpan<byte> documents, int offset, bool byId)
    {
        var reader = new RawDocumentReader(documents[offset..]);
        reader.MoveNext();
        var id = CursorPath.Id.Resolve(reader.Current);
        var idValue = RawFields.ToValue(id.Type, id.Value);
        if (byId || field is null)
        {
            return (null, idValue);
        }

        var value = field.Resolve(reader.Current);
        return (value.Kind == CursorValueKind.Missing ? BsonNull.Value : RawFields.ToValue(value.Type, value.Value), idValue);
    }

    private sealed class Step(PartKey key)
    {
        public PartKey Key { get; } = key;

        public int Last { get; set; } = -1;

        public int Settled { get; set; } = -1;

        public int Met { get; set; } = -1;

        public Resolved Resolve(ReadOnlySpan<byte> documents, IncrementalCheckpointTracker tracker) => new(
            Key,
            tracker.KeyAt(documents, Last, Key.ById),
            Settled < 0 ? null : tracker.KeyAt(documents, Settled, Key.ById),
            Met);
    }

    /// <param name="Last">The part's last key in the batch.</param>
    /// <param name="Settled">Its last settled key, if any.</param>
    /// <param name="Met">The newest stored mark the batch met again, or -1.</param>
    private sealed record Resolved(PartKey Key, (BsonValue? Value, BsonValue Id) Last, (BsonValue? Value, BsonValue Id)? Settled, int Met);

    private sealed record Position(IReadOnlyList<Resolved> Steps, int FarFuture, int Arrays) : BatchPosition;

    /// <summary>A part during the run: its position, the marks it started with (some consumed) and the marks this run added.</summary>
    private sealed class Live(CursorPart start)
    {
        private readonly List<CursorMark> added = [];

        public PartKey Key { get; } = start.Key;

        public IReadOnlyList<CursorMark> Stored { get; } = start.Marks;

        public int Consumed { get; set; } = -1;

        /// <summary>The run has met the newest stored mark again (or there is none): what it reads now was never read before.</summary>
        public bool PassedStored { get; set; } = start.Marks.Count == 0;

        public (BsonValue? Value, BsonValue Id)? LastRead { get; set; }

        private BsonValue? Value { get; set; } = start.Value;

        private BsonValue? Id { get; set; } = start.Id;

        public bool MoveTo(BsonValue? value, BsonValue id)
        {
            (Value, Id) = (value, id);
            return true;
        }

        /// <summary>Marks the key as first read now, unless the newest mark is that key or younger than a fraction of the window.</summary>
        public bool AddMark((BsonValue? Value, BsonValue Id) key, long now, TimeSpan settle)
        {
            var newest = added.Count > 0 ? added[^1] : Consumed < Stored.Count - 1 ? Stored[^1] : null;
            if (newest is not null)
            {
                if (Equals(newest.Value, key.Value) && newest.Id.Equals(key.Id))
                {
                    return false;
                }

                if (now - newest.FirstReadMillis < settle.TotalMilliseconds / 8)
                {
                    return false;
                }
            }

            added.Add(new CursorMark(key.Value, key.Id, now));
            if (Stored.Count - Consumed - 1 + added.Count > MaxMarks)
            {
                for (var i = added.Count - 2; i >= 0; i -= 2)
                {
                    added.RemoveAt(i);
                }
            }

            return true;
        }

        /// <param name="keepMarks">False without a settle window: every key settles at once, so marks mean nothing.</param>
        public CursorPart ToPart(bool keepMarks) => new(Key, Value, Id, keepMarks ? [.. Stored.Skip(Consumed + 1), .. added] : []);
    }

    /// <summary>Parts in MongoDB's sort order of their brackets (field first, then <c>_id</c>).</summary>
    private sealed class PartOrder : IComparer<PartKey>
    {
        public static readonly PartOrder Instance = new();

        public int Compare(PartKey x, PartKey y)
        {
            var byField = Nullable.Compare(x.Field, y.Field);
            return byField != 0 ? byField : Nullable.Compare(x.Id, y.Id);
        }
    }
}
