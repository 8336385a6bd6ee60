namespace Zenith.Core.Inserts;

/// <summary>
/// The <c>_zenith_version</c> of change-stream rows (UInt128): an event's cluster time (seconds and increment, 64 bits) in the
/// high half, its ordinal among the events of that cluster time in the low half (a transaction's events share one cluster time,
/// so two writes to one document in a transaction get two versions, the later one higher). The initial load's rows get the start
/// position's time with ordinal 0: below every event after the position, which therefore wins.
/// </summary>
public static class ChangeVersions
{
    /// <param name="clusterTime">The BSON timestamp's 64 bits (seconds &lt;&lt; 32 | increment).</param>
    public static UInt128 Of(ulong clusterTime, long ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        return ((UInt128)clusterTime << 64) | (ulong)ordinal;
    }

    /// <summary>The version of every row the load starting at <paramref name="start"/> writes.</summary>
    public static UInt128 Snapshot(ulong start) => Of(start, 0);
}
