using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>The confirmed differences of one verification: exact totals, the first ids of each kind.</summary>
internal sealed class Findings(int maxIds)
{
    private readonly List<VerifiedId> _missing = [];
    private readonly List<VerifiedId> _extra = [];
    private readonly List<VerifiedId> _stale = [];
    private readonly List<ValueMismatch> _mismatches = [];

    public long SourceCount { get; set; }

    public long DestinationCount { get; set; }

    public long Missing { get; private set; }

    public long Extra { get; private set; }

    public long Stale { get; private set; }

    public long Pending { get; private set; }

    public long Sampled { get; set; }

    public long ValueMismatches { get; private set; }

    public long Changed { get; private set; }

    public List<string> Notes { get; } = [];

    public void AddMissing(VerifiedId id) => Add(_missing, id, () => Missing++);

    public void AddExtra(VerifiedId id) => Add(_extra, id, () => Extra++);

    public void AddStale(VerifiedId id) => Add(_stale, id, () => Stale++);

    public void AddMismatch(ValueMismatch mismatch) => Add(_mismatches, mismatch, () => ValueMismatches++);

    public void AddPending(long count = 1) => Pending += count;

    public void AddChanged(long count = 1) => Changed += count;

    private void Add<T>(List<T> list, T item, Action count)
    {
        count();
        if (list.Count < maxIds)
        {
            list.Add(item);
        }
    }

    public VerificationReport Report() => new(
        SourceCount, DestinationCount, Missing, Extra, Stale, Pending, Sampled, ValueMismatches, Changed,
        [.. _missing], [.. _extra], [.. _stale], [.. _mismatches], [.. Notes.Distinct()]);
}
