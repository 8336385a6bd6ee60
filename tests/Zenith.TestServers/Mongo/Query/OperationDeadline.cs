using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A command's <c>maxTimeMS</c>: scans, sorts and waits check it as they go, and past it the command
/// fails with MaxTimeMSExpired (50), as in mongod.
/// </summary>
internal static class OperationDeadline
{
    private sealed record Limit(TimeProvider Time, long EndTimestamp)
    {
        public TimeSpan Left => Time.GetElapsedTime(Time.GetTimestamp(), EndTimestamp);
    }

    private static readonly AsyncLocal<Limit?> Deadline = new();

    /// <summary>Starts the command's clock, measured by <paramref name="time"/>; 0 or no maxTimeMS means no limit.</summary>
    public static void Start(BsonDocument command, TimeProvider time)
    {
        Deadline.Value = null;
        if (!command.TryGetValue("maxTimeMS", out var value) || value.IsBsonNull)
        {
            return;
        }
        if (!value.IsNumeric)
        {
            throw CommandException.TypeMismatch("maxTimeMS must be a number");
        }
        var ms = value.ToDouble();
        if (ms < 0 || ms > int.MaxValue || ms != Math.Floor(ms))
        {
            throw CommandException.BadValue($"{ms} value for maxTimeMS is out of range [0, {int.MaxValue}]");
        }
        Deadline.Value = ms == 0 ? null : new Limit(time, time.GetTimestamp() + (long)(ms / 1000 * time.TimestampFrequency));
    }

    public static void Clear() => Deadline.Value = null;

    /// <summary>Throws MaxTimeMSExpired once the command's time is up.</summary>
    public static void Check()
    {
        if (Deadline.Value is { Left.Ticks: <= 0 })
        {
            throw new CommandException(50, "MaxTimeMSExpired", "operation exceeded time limit");
        }
    }

    /// <summary>How long a wait may last: the time left, or <paramref name="fallback"/> without a limit.</summary>
    public static TimeSpan Remaining(TimeSpan fallback)
    {
        var limit = Deadline.Value;
        return limit is null ? fallback : TimeSpan.FromTicks(Math.Clamp(limit.Left.Ticks, 0, fallback.Ticks));
    }
}
