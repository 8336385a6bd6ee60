namespace Zenith.Core.Inserts;

/// <summary>The batches gathered for the next INSERT: how many, and their rows and RowBinary bytes.</summary>
public readonly record struct PendingInsert(int Batches, long Rows, long Bytes)
{
    public PendingInsert Add(int rows, long bytes) => new(Batches + 1, Rows + rows, Bytes + bytes);
}

/// <summary>
/// When consecutive encoded batches are sent as one INSERT, and how much the reader may hold: pure decisions, asked by the
/// pipeline's insert stage and its in-flight budget. A batch is never split; an insert goes out as soon as nothing more is
/// queued, before a batch made for another schema, and when it reaches <see cref="MaxRows"/> or <see cref="MaxBytes"/>.
/// </summary>
/// <param name="MaxRows">Most rows one insert carries (a single larger batch still goes alone).</param>
/// <param name="MaxBytes">Most RowBinary bytes one insert carries (likewise).</param>
public sealed record InsertCoalescing(int MaxRows, long MaxBytes)
{
    /// <summary>Whether <paramref name="pending"/> must be sent before a batch of <paramref name="rows"/>/<paramref name="bytes"/> joins it.</summary>
    /// <param name="sameSchema">The batch was encoded for the schema the pending rows were encoded for.</param>
    public bool SendBefore(PendingInsert pending, int rows, long bytes, bool sameSchema) =>
        pending.Batches > 0 && (!sameSchema || pending.Rows + rows > MaxRows || pending.Bytes + bytes > MaxBytes);

    /// <summary>Whether <paramref name="pending"/> is as big as an insert gets: send it now.</summary>
    public bool IsFull(PendingInsert pending) => pending.Rows >= MaxRows || pending.Bytes >= MaxBytes;

    /// <summary>Whether to send <paramref name="pending"/> when no batch is waiting (a small run is never held back).</summary>
    public static bool SendWhenIdle(PendingInsert pending) => pending.Batches > 0;

    /// <summary>
    /// Whether the reader may take a batch of <paramref name="rows"/>/<paramref name="bytes"/> while the given amount is read but not yet
    /// acknowledged: two inserts' worth, one being sent and the next one filling behind it. With nothing in flight it always may.
    /// </summary>
    public bool ReaderMayTake(long rowsInFlight, long bytesInFlight, int rows, long bytes) =>
        rowsInFlight <= 0 || (rowsInFlight + rows <= 2L * Math.Max(1, MaxRows) && bytesInFlight + bytes <= 2L * Math.Max(1, MaxBytes));
}
