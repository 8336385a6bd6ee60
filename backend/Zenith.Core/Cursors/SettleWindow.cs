using System.Buffers.Binary;
using Zenith.Core.Bson;

namespace Zenith.Core.Cursors;

/// <summary>
/// When a key read by an incremental run may hold the checkpoint. Keys become visible out of order (ObjectIds from many
/// application servers in one second, retried inserts, transactions, clocks that differ), so a run copies everything after the
/// checkpoint but moves it only through <em>settled</em> keys, and the next run reads the rest again. A key with a time (a date,
/// an ObjectId by its embedded second, a BSON timestamp) is settled when that time is at least <see cref="Settle"/> before the run's
/// query was opened; a key without one (a number, a string) when it was first read at least <see cref="Settle"/> ago. A time beyond
/// the query's opening plus <see cref="FutureTolerance"/> is far in the future: copied, counted, never a checkpoint.
/// </summary>
/// <param name="Settle">How long a key may take to become visible after a later one; zero holds nothing back but far-future keys.</param>
/// <param name="FutureTolerance">How far past the run's start a time may be before it counts as far in the future.</param>
public sealed record SettleWindow(TimeSpan Settle, TimeSpan FutureTolerance)
{
    public static TimeSpan DefaultFutureTolerance { get; } = TimeSpan.FromDays(1);

    public long SettleMillis => (long)Settle.TotalMilliseconds;

    /// <summary>
    /// The latest moment the key's writer can have made it, in Unix milliseconds, or null for a key without a time. ObjectIds and
    /// BSON timestamps count seconds, so they count from the end of their second.
    /// </summary>
    public static long? KeyTimeMillis(byte type, ReadOnlySpan<byte> value) => type switch
    {
        BsonTypeCode.ObjectId => (BinaryPrimitives.ReadUInt32BigEndian(value) + 1L) * 1000,
        BsonTypeCode.DateTime => BinaryPrimitives.ReadInt64LittleEndian(value),
        BsonTypeCode.Timestamp => ((long)(BinaryPrimitives.ReadUInt64LittleEndian(value) >> 32) + 1) * 1000,
        _ => null,
    };

    /// <summary>Whether keys of this bracket carry a time (<see cref="KeyTimeMillis"/>).</summary>
    public static bool HasTime(TypeBracket bracket) => bracket is TypeBracket.ObjectId or TypeBracket.Date or TypeBracket.Timestamp;

    /// <summary>A key with a time: settled when its time is at least the settle window before the query opened.</summary>
    public bool IsSettled(long keyTimeMillis, long queryOpenedMillis) =>
        keyTimeMillis <= queryOpenedMillis - SettleMillis && !IsFarFuture(keyTimeMillis, queryOpenedMillis);

    public bool IsFarFuture(long keyTimeMillis, long queryOpenedMillis) =>
        keyTimeMillis > queryOpenedMillis + (long)FutureTolerance.TotalMilliseconds;

    /// <summary>A key without a time, first read at <paramref name="firstReadMillis"/>: settled for a query opened after the window.</summary>
    public bool IsSettledMark(long firstReadMillis, long queryOpenedMillis) => firstReadMillis <= queryOpenedMillis - SettleMillis;
}
