using System.Threading.Channels;
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
