using System.Buffers.Binary;
using MongoDB.Bson;

namespace Zenith.Sync.Tests;

/// <summary>
/// The system clock, moved by a test: the engine's notion of "now" (runs' starts, settle windows, marks) goes forward without the
/// test waiting, or steps back as a wall clock can. Timers and elapsed time stay the system's.
/// </summary>
public sealed class MovableClock : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Move(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}

public static class Keys
{
    /// <summary>
    /// An ObjectId as an application server makes it: the second <paramref name="at"/>, then its own machine/process bytes
    /// (<paramref name="server"/>), then its counter. Two servers in one second make ids whose order is not the order they commit in.
    /// </summary>
    public static ObjectId ObjectIdAt(DateTimeOffset at, byte server, int counter)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)at.ToUnixTimeSeconds());
        bytes.AsSpan(4, 5).Fill(server);
        bytes[9] = (byte)(counter >> 16);
        bytes[10] = (byte)(counter >> 8);
        bytes[11] = (byte)counter;
        return new ObjectId(bytes);
    }
}
