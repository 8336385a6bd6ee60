using System.Globalization;

namespace Zenith.Core.Inserts;

/// <summary>
/// The <c>_zenith_version</c> of a run's rows: later runs, and later batches of a run, get higher versions, so ReplacingMergeTree
/// keeps the newest copy. The run's base (<see cref="Base"/>, milliseconds) is the high part, the batch's sequence number the low 22 bits.
/// </summary>
public sealed class RowVersions(long runBaseMillis)
{
    public const int SequenceBits = 22;

    public ulong Version(long sequence) => ((ulong)runBaseMillis << SequenceBits) + (ulong)Math.Min(sequence, (1L << SequenceBits) - 1);

    /// <summary>
    /// A run's base: its start, but always above the highest base the connector used before (<paramref name="floorMillis"/>, stored
    /// with the checkpoint), so a wall clock that stepped back cannot let an older state win under FINAL.
    /// </summary>
    public static long Base(long startMillis, long floorMillis) => Math.Max(startMillis, floorMillis + 1);
}

/// <summary>
/// The <c>insert_deduplication_token</c> of each insert: unique per run and insert, the same for every retry of an insert (its
/// batches are fixed before it is first sent), so an insert sent again after a lost reply is written once. Not derived from the
/// checkpoint: a later run resuming from the same checkpoint may read other documents (the source changed), which must not be dropped.
/// </summary>
public sealed class DeduplicationTokens(long connectorId, Guid runId)
{
    /// <summary>The token of the insert of batches <paramref name="firstSequence"/> to <paramref name="lastSequence"/>.</summary>
    public string For(long firstSequence, long lastSequence) =>
        string.Create(CultureInfo.InvariantCulture, $"zenith-{connectorId}-{runId:N}-{firstSequence}-{lastSequence}");
}
