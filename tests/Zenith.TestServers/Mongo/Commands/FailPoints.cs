using System.Security.Cryptography;
using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>What the <c>failCommand</c> fail point makes of one command.</summary>
internal sealed record FailAction(int? ErrorCode, bool CloseConnection, int BlockMilliseconds, BsonArray? ErrorLabels, BsonDocument? WriteConcernError, BsonDocument? ErrorExtraInfo);

/// <summary>
/// mongod's test fail points, as drivers' tests use them (<c>configureFailPoint</c>): <c>failCommand</c>
/// (<c>failCommands</c>, <c>errorCode</c>, <c>closeConnection</c>, <c>blockConnection</c>/<c>blockTimeMS</c>,
/// <c>errorLabels</c>, <c>writeConcernError</c>, <c>appName</c>) and <c>failGetMoreAfterCursorCheckout</c>,
/// each with mode <c>alwaysOn</c>, <c>off</c>, <c>{times: n}</c>, <c>{skip: n}</c> or <c>{activationProbability: p}</c>.
/// </summary>
internal sealed class FailPoints
{
    public const string FailCommand = "failCommand";
    public const string FailGetMoreAfterCursorCheckout = "failGetMoreAfterCursorCheckout";

    private static readonly HashSet<string> Known = [FailCommand, FailGetMoreAfterCursorCheckout];

    private readonly Lock _sync = new();
    private readonly Dictionary<string, FailPoint> _points = new(StringComparer.Ordinal);

    private sealed class FailPoint(BsonValue mode, BsonDocument data)
    {
        public BsonValue Mode { get; set; } = mode;

        public BsonDocument Data { get; set; } = data;

        public long? TimesLeft { get; set; }

        public long SkipLeft { get; set; }

        public double Probability { get; set; } = 1;

        public bool IsOn { get; set; }

        public long Triggered { get; set; }
    }

    /// <summary>Sets a fail point; the reply mongod gives (<c>count</c>: how many times it fired while it was set before).</summary>
    public BsonDocument Configure(BsonDocument command)
    {
        var name = command[0] as BsonString ?? throw CommandException.TypeMismatch("configureFailPoint needs the fail point's name");
        if (!Known.Contains(name.Value))
        {
            throw CommandException.NotImplemented($"the fail point '{name.Value}' is not supported by this test server (failCommand and failGetMoreAfterCursorCheckout are)");
        }
        var mode = command.GetValue("mode", BsonNull.Value);
        var data = command.GetValue("data", new BsonDocument()) as BsonDocument ?? throw CommandException.TypeMismatch("the fail point's 'data' must be an object");
        foreach (var field in data.Names.Where(n => n is "failInternalCommands" or "namespace" or "threadName"))
        {
            throw CommandException.NotImplemented($"the fail point option '{field}' is not supported by this test server");
        }
        var point = new FailPoint(mode, data);
        switch (mode)
        {
            case BsonString { Value: "alwaysOn" }:
                point.IsOn = true;
                break;
            case BsonString { Value: "off" }:
                break;
            case BsonDocument { ElementCount: 1 } m when m.Contains("times"):
                point.TimesLeft = m["times"].ToInt64();
                point.IsOn = point.TimesLeft > 0;
                break;
            case BsonDocument { ElementCount: 1 } m when m.Contains("skip"):
                point.SkipLeft = m["skip"].ToInt64();
                point.IsOn = true;
                break;
            case BsonDocument { ElementCount: 1 } m when m.Contains("activationProbability"):
                point.Probability = m["activationProbability"].ToDouble();
                point.IsOn = true;
                break;
            default:
                throw CommandException.BadValue("'mode' must be one of 'off', 'alwaysOn', {times: n}, {skip: n} or {activationProbability: p}");
        }
        long count;
        lock (_sync)
        {
            count = _points.TryGetValue(name.Value, out var old) ? old.Triggered : 0;
            _points[name.Value] = point;
        }
        return new BsonDocument { { "count", count }, { "mode", mode }, { "data", data }, { "ok", 1.0 } };
    }

    /// <summary>Whether failCommand fires for this command (counting it against times/skip); what it does if so.</summary>
    public FailAction? ForCommand(string command, string? appName)
    {
        lock (_sync)
        {
            if (!_points.TryGetValue(FailCommand, out var point) || !point.IsOn || command is "configureFailPoint")
            {
                return null;
            }
            var data = point.Data;
            var names = data.GetValue("failCommands", new BsonArray()) as BsonArray ?? [];
            if (!names.Any(n => n.AsString == command) ||
                (data.GetValue("appName", BsonNull.Value) is BsonString wanted && wanted.Value != appName) || !Fires(point))
            {
                return null;
            }
            return new FailAction(
                data.TryGetValue("errorCode", out var code) ? code.ToInt32() : null,
                data.GetValue("closeConnection", false).ToBoolean(),
                data.GetValue("blockConnection", false).ToBoolean() ? data.GetValue("blockTimeMS", 0).ToInt32() : 0,
                data.GetValue("errorLabels", BsonNull.Value) as BsonArray,
                data.GetValue("writeConcernError", BsonNull.Value) as BsonDocument,
                data.GetValue("errorExtraInfo", BsonNull.Value) as BsonDocument);
        }
    }

    /// <summary>The error code failGetMoreAfterCursorCheckout makes a getMore fail with, if it fires.</summary>
    public int? ForGetMore()
    {
        lock (_sync)
        {
            return _points.TryGetValue(FailGetMoreAfterCursorCheckout, out var point) && point.IsOn && Fires(point)
                ? point.Data.GetValue("errorCode", 1).ToInt32()
                : null;
        }
    }

    private static bool Fires(FailPoint point)
    {
        if (point.SkipLeft > 0)
        {
            point.SkipLeft--;
            return false;
        }
        if (point.Probability < 1 && RandomNumberGenerator.GetInt32(1_000_000) >= point.Probability * 1_000_000)
        {
            return false;
        }
        point.Triggered++;
        if (point.TimesLeft is { } left)
        {
            point.TimesLeft = left - 1;
            point.IsOn = left - 1 > 0;
        }
        return true;
    }
}
