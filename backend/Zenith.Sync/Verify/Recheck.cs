using MongoDB.Bson;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

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

        await CountAsync(confirmed, findings.AddMissing, codec, ct);
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

        await CountAsync(confirmed, findings.AddStale, codec, ct);
        _stale.Clear();
    }

    /// <summary>Confirmed differences count as <paramref name="add"/> says, except those the next run reads: pending.</summary>
    private async Task CountAsync(List<IdEntry> confirmed, Action<VerifiedId> add, IdCodec codec, CancellationToken ct)
    {
        var pending = await PendingAsync(confirmed, codec, ct);
        foreach (var entry in confirmed)
        {
            if (pending.Contains(Key(entry)))
            {
                findings.AddPending();
            }
            else
            {
                add(entry.Display());
            }
        }
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
