using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Where a change-stream connector is, as one checkpoint: the stream's resume token (with the cluster time it covers, decoded
/// from it), the cluster time and ordinal of the last event applied (so a transaction cut by a restart keeps numbering its
/// events), and while the initial load goes, the load's own position (an incremental_id cursor). Stored as canonical extended
/// JSON: <c>{changeStream: 1, token, at, eventAt, ordinal, load?}</c>; <c>load</c> absent means the load finished.
/// </summary>
/// <param name="Token">The resume token (<c>{_data: …}</c>); the stream resumes with <c>startAfter</c> it.</param>
/// <param name="At">The cluster time the token covers (everything up to it is applied).</param>
/// <param name="EventAt">The cluster time of the last event applied (zero before one was).</param>
/// <param name="Ordinal">The ordinal of that event among the events of its cluster time (a transaction's share one).</param>
/// <param name="Load">The initial load's position (incremental_id checkpoint value; empty before the first batch), or null once it finished.</param>
public sealed record ChangeStreamPosition(BsonDocument Token, BsonTimestamp At, BsonTimestamp EventAt, long Ordinal, string? Load)
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };

    public bool Loaded => Load is null;

    /// <summary>A new start position: the load has not begun.</summary>
    public static ChangeStreamPosition Start(BsonDocument token) => new(token, ResumeTokens.ClusterTime(token), new BsonTimestamp(0), 0, string.Empty);

    /// <summary>The stored position; null when there is none (a new connector, a reset).</summary>
    public static ChangeStreamPosition? Parse(Checkpoint? checkpoint)
    {
        if (checkpoint is null || !checkpoint.HasPosition)
        {
            return null;
        }

        try
        {
            var doc = BsonDocument.Parse(checkpoint.Value);
            if (!doc.Contains("changeStream"))
            {
                return null;
            }

            var token = doc["token"].AsBsonDocument;
            return new ChangeStreamPosition(
                token,
                doc.TryGetValue("at", out var at) ? at.AsBsonTimestamp : ResumeTokens.ClusterTime(token),
                doc.TryGetValue("eventAt", out var e) ? e.AsBsonTimestamp : new BsonTimestamp(0),
                doc.TryGetValue("ordinal", out var o) ? o.ToInt64() : 0,
                doc.TryGetValue("load", out var load) ? load.AsString : null);
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException or InvalidCastException or EndOfStreamException or KeyNotFoundException)
        {
            throw new ArgumentException("the stored change-stream checkpoint is not valid; reset the connector's checkpoint", nameof(checkpoint), ex);
        }
    }

    /// <summary>The checkpoint to store for the definition <paramref name="fingerprint"/>.</summary>
    public Checkpoint ToCheckpoint(string? fingerprint, long versionFloor)
    {
        var doc = new BsonDocument
        {
            { "changeStream", 1 },
            { "token", Token },
            { "at", At },
            { "eventAt", EventAt },
            { "ordinal", Ordinal },
        };
        if (Load is not null)
        {
            doc["load"] = Load;
        }

        return new Checkpoint(doc.ToJson(Canonical), Display(), fingerprint, versionFloor);
    }

    /// <summary>The load's own checkpoint (an incremental_id position, for the find that resumes it); null to load from the start.</summary>
    public Checkpoint? LoadCheckpoint() => string.IsNullOrEmpty(Load) ? null : new Checkpoint(Load, string.Empty);

    /// <summary>The cluster time the token covers, for people.</summary>
    public string AtText => DateTimeOffset.FromUnixTimeSeconds(At.Timestamp).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>For people: where the stream is, and whether the initial load is still going.</summary>
    public string Display() => Loaded ? $"change stream at {AtText}" : $"initial load from the change stream position {AtText}";
}

/// <summary>What Zenith reads out of a resume token.</summary>
public static class ResumeTokens
{
    /// <summary>
    /// The cluster time a resume token stands for. MongoDB's tokens are <c>{_data: hex}</c> of a KeyString whose first value is
    /// the event's cluster time: the type byte 130 (0x82), then the timestamp's 64 bits big-endian (seconds, increment). The rest
    /// is opaque. A token of another shape gives time zero (the position is still exact; only lag and the display lack it).
    /// </summary>
    public static BsonTimestamp ClusterTime(BsonDocument token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.TryGetValue("_data", out var data) && data.IsString && data.AsString.Length >= 18 && data.AsString.StartsWith("82", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(data.AsString.AsSpan(2, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            return new BsonTimestamp((long)value);
        }

        return new BsonTimestamp(0);
    }
}
