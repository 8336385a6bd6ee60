using System.Threading.Channels;
using MongoDB.Bson;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// Compares the sets of ids range by range: MongoDB's next <c>RangeSize</c> ids (in ClickHouse's order) against ClickHouse's
/// rows of the same range (up to the range's last id, paged), so memory holds a few ranges whatever the table's size. While
/// MongoDB's next range is read, the current one is compared. Matched ids compare their cursor values (freshness). What
/// differs goes to <see cref="Recheck"/>, which reads it again before it counts.
/// </summary>
internal sealed class IdSetComparison(ClickHouseRows clickHouse, ColumnDef? cursor, Recheck recheck, Findings findings, VerificationOptions options, Action<long> progressed)
{
    private long _compared;

    public async Task RunAsync(IAsyncEnumerable<IdEntry> source, IdBracket? bracket, CancellationToken ct)
    {
        var ranges = Channel.CreateBounded<List<IdEntry>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(() => ReadRangesAsync(source, ranges.Writer, stop.Token), CancellationToken.None);
        try
        {
            byte[]? after = null;
            IdEntry? previous = null;
            await foreach (var range in ranges.Reader.ReadAllAsync(stop.Token))
            {
                var upTo = range[^1].Text;
                var rows = await PagesAsync(bracket, after, upTo, stop.Token);
                previous = await MergeAsync(range, rows, bracket, previous, stop.Token);
                after = upTo;
                _compared += range.Count;
                progressed(_compared);
            }

            await MergeAsync([], await PagesAsync(bracket, after, null, stop.Token), bracket, previous, stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await reader;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The reader was stopped because the comparison ended first (an error): the comparison's error is the one to see.
            }
        }
    }

    private async Task ReadRangesAsync(IAsyncEnumerable<IdEntry> source, ChannelWriter<List<IdEntry>> writer, CancellationToken ct)
    {
        try
        {
            var range = new List<IdEntry>(options.RangeSize);
            await foreach (var entry in source.WithCancellation(ct))
            {
                range.Add(entry);
                if (range.Count >= options.RangeSize)
                {
                    await writer.WriteAsync(range, ct);
                    range = new List<IdEntry>(options.RangeSize);
                }
            }

            if (range.Count > 0)
            {
                await writer.WriteAsync(range, ct);
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    /// <summary>Every row of the range, however many there are (more rows than ids means extra rows).</summary>
    private async Task<List<(byte[] Text, byte[]? Cursor)>> PagesAsync(IdBracket? bracket, byte[]? after, byte[]? upTo, CancellationToken ct)
    {
        var rows = await clickHouse.PageAsync(bracket, cursor, after, upTo, options.RangeSize, ct);
        var page = rows;
        while (page.Count == options.RangeSize)
        {
            page = await clickHouse.PageAsync(bracket, cursor, page[^1].Text, upTo, options.RangeSize, ct);
            rows.AddRange(page);
        }

        return rows;
    }

    private async Task<IdEntry?> MergeAsync(List<IdEntry> ids, List<(byte[] Text, byte[]? Cursor)> rows, IdBracket? bracket, IdEntry? previous, CancellationToken ct)
    {
        findings.SourceCount += ids.Count;
        findings.DestinationCount += rows.Count;
        var i = 0;
        var j = 0;
        byte[]? lastRow = null;
        while (i < ids.Count || j < rows.Count)
        {
            var order = i == ids.Count ? 1 : j == rows.Count ? -1 : ids[i].Text.AsSpan().SequenceCompareTo(rows[j].Text);
            if (order < 0)
            {
                // A document with no row; or, in a table without the type tag, a second document with the text of the previous one.
                var sharesText = previous is not null && previous.Text.AsSpan().SequenceEqual(ids[i].Text);
                await recheck.MissingAsync(ids[i], sharesText, ct);
                previous = ids[i++];
            }
            else if (order > 0)
            {
                var duplicate = lastRow is not null && lastRow.AsSpan().SequenceEqual(rows[j].Text);
                await recheck.ExtraAsync(new IdEntry(rows[j].Text, bracket ?? IdBracket.String, [], null), clickHouse.Tagged ? bracket : null, duplicate, ct);
                lastRow = rows[j++].Text;
            }
            else
            {
                if (cursor is not null && !ids[i].Cursor.AsSpan().SequenceEqual(rows[j].Cursor))
                {
                    await recheck.StaleAsync(ids[i], ct);
                }

                previous = ids[i++];
                lastRow = rows[j++].Text;
            }
        }

        return previous;
    }
}

/// <summary>
/// Reads every difference the first pass saw again, both sides, by id, in batches, before it counts: a document or row that
/// changed meanwhile is not a false alarm. What the next run will read (documents after the checkpoint) is pending, not a
/// difference. Keeps at most one batch of each kind.
/// </summary>
internal sealed class Recheck(MongoIds mongo, ClickHouseRows clickHouse, ColumnDef? cursor, BsonDocument? userFilter, BsonDocument? nextRunFilter, Func<IdCodec> codecs, Findings findings, IVerificationObserver observer)
{
    private const int BatchSize = 1000;
    private readonly List<(IdEntry Entry, bool SharesText)> _missing = [];
    private readonly List<(IdEntry Entry, IdBracket? Bracket, bool Duplicate)> _extra = [];
    private readonly List<IdEntry> _stale = [];

    public async Task MissingAsync(IdEntry entry, bool sharesText, CancellationToken ct)
    {
        _missing.Add((entry, sharesText));
        if (_missing.Count >= BatchSize)
        {
            await FlushMissingAsync(ct);
        }
    }

    public async Task ExtraAsync(IdEntry row, IdBracket? bracket, bool duplicate, CancellationToken ct)
    {
        _extra.Add((row, bracket, duplicate));
        if (_extra.Count >= BatchSize)
        {
            await FlushExtraAsync(ct);
        }
    }

    public async Task StaleAsync(IdEntry entry, CancellationToken ct)
    {
        _stale.Add(entry);
        if (_stale.Count >= BatchSize)
        {
            await FlushStaleAsync(ct);
        }
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        await FlushMissingAsync(ct);
        await FlushExtraAsync(ct);
        await FlushStaleAsync(ct);
    }

    private RowKey Key(IdEntry entry) => RowKey.Of(entry, clickHouse.Tagged);

    private async Task FlushMissingAsync(CancellationToken ct)
    {
        if (_missing.Count == 0)
        {
            return;
        }

        observer.Rechecking(_missing.Count);
        var entries = _missing.Select(m => m.Entry).ToList();
        using var codec = codecs();
        var inMongo = (await mongo.FindAsync(entries.Select(e => e.IdValue()).ToList(), userFilter, codec, ct)).Select(Key).ToHashSet();
        var inClickHouse = await clickHouse.RowsAsync([], entries, ct);
        var confirmed = new List<IdEntry>();
        foreach (var (entry, sharesText) in _missing)
        {
            if (inMongo.Contains(Key(entry)) && (sharesText || !inClickHouse.ContainsKey(Key(entry))))
            {
                confirmed.Add(entry);
            }
            else
            {
                findings.AddChanged();
            }
        }

        var pending = await PendingAsync(confirmed, codec, ct);
        foreach (var entry in confirmed)
        {
            if (pending.Contains(Key(entry)))
            {
                findings.AddPending();
            }
            else
            {
                findings.AddMissing(entry.Display());
            }
        }

        _missing.Clear();
    }

    private async Task FlushExtraAsync(CancellationToken ct)
    {
        if (_extra.Count == 0)
        {
            return;
        }

        observer.Rechecking(_extra.Count);
        using var codec = codecs();
        var inClickHouse = await clickHouse.RowsAsync([], [.. _extra.Select(e => e.Entry)], ct);
        var candidates = _extra.SelectMany(e => IdCandidates.From(e.Entry.Text, e.Bracket)).Distinct().ToList();
        var inMongo = new HashSet<RowKey>();
        foreach (var chunk in candidates.Chunk(BatchSize))
        {
            inMongo.UnionWith((await mongo.FindAsync(chunk, userFilter, codec, ct)).Select(Key));
        }

        foreach (var (row, bracket, duplicate) in _extra)
        {
            if (inClickHouse.ContainsKey(Key(row)) && (duplicate || !inMongo.Contains(Key(row))))
            {
                findings.AddExtra(row.Display(withType: bracket is not null));
            }
            else
            {
                findings.AddChanged();
            }
        }

        _extra.Clear();
    }

    private async Task FlushStaleAsync(CancellationToken ct)
    {
        if (_stale.Count == 0 || cursor is null)
        {
            return;
        }

        observer.Rechecking(_stale.Count);
        using var codec = codecs();
        var now = (await mongo.FindAsync(_stale.Select(e => e.IdValue()).ToList(), userFilter, codec, ct)).ToDictionary(Key);
        var rows = await clickHouse.RowsAsync([cursor], _stale, ct);
        var confirmed = new List<IdEntry>();
        foreach (var entry in _stale)
        {
            if (now.TryGetValue(Key(entry), out var current) && rows.TryGetValue(Key(entry), out var row) && !current.Cursor.AsSpan().SequenceEqual(row[0]))
            {
                confirmed.Add(current);
            }
            else
            {
                findings.AddChanged();
            }
        }

        var pending = await PendingAsync(confirmed, codec, ct);
        foreach (var entry in confirmed)
        {
            if (pending.Contains(Key(entry)))
            {
                findings.AddPending();
            }
            else
            {
                findings.AddStale(entry.Display());
            }
        }

        _stale.Clear();
    }

    /// <summary>The keys among <paramref name="entries"/> that the connector's next run reads (after its checkpoint).</summary>
    public async Task<HashSet<RowKey>> PendingAsync(IReadOnlyList<IdEntry> entries, IdCodec codec, CancellationToken ct)
    {
        if (nextRunFilter is null || entries.Count == 0)
        {
            return [];
        }

        var found = await mongo.FindAsync(entries.Select(e => e.IdValue()).ToList(), nextRunFilter, codec, ct);
        return [.. found.Select(Key)];
    }
}
