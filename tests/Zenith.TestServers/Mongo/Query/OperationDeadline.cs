using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A command's <c>maxTimeMS</c>: scans, sorts and waits check it as they go, and past it the command
/// fails with MaxTimeMSExpired (50), as in mongod.
/// </summary>
internal static class OperationDeadline
{
    private static readonly AsyncLocal<long> Deadline = new();

    /// <summary>Starts the command's clock; 0 or no maxTimeMS means no limit.</summary>
    public static void Start(BsonDocument command)
    {
        Deadline.Value = 0;
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
        Deadline.Value = ms == 0 ? 0 : Environment.TickCount64 + (long)ms;
    }

    public static void Clear() => Deadline.Value = 0;

    /// <summary>Throws MaxTimeMSExpired once the command's time is up.</summary>
    public static void Check()
    {
        var deadline = Deadline.Value;
        if (deadline != 0 && Environment.TickCount64 >= deadline)
        {
            throw new CommandException(50, "MaxTimeMSExpired", "operation exceeded time limit");
        }
    }

    /// <summary>How long a wait may last: the time left, or <paramref name="fallback"/> without a limit.</summary>
    public static TimeSpan Remaining(TimeSpan fallback)
    {
        var deadline = Deadline.Value;
        return deadline == 0 ? fallback : TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(deadline - Environment.TickCount64, fallback.TotalMilliseconds)));
    }
}
