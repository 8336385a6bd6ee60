using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// One independently ordered part of an incremental cursor. MongoDB's <c>$gt</c> never crosses a type bracket, so a run resumes
/// inside each bracket on its own: incremental_id keeps one part per <c>_id</c> bracket (<see cref="Id"/>); incremental_timestamp
/// one per bracket of the cursor field (<see cref="Field"/>), ordered by (value, <c>_id</c>), except in the brackets that hold a
/// single value (null and missing, undefined, MinKey, MaxKey), where only <c>_id</c> orders documents: there one part per
/// (field bracket, <c>_id</c> bracket).
/// </summary>
public readonly record struct PartKey(TypeBracket? Field, TypeBracket? Id)
{
    /// <summary>Whether the part's position is an <c>_id</c> alone (else a (value, <c>_id</c>) pair).</summary>
    public bool ById => Id is not null;

    /// <summary>The bracket whose values give the part's keys their times (see <see cref="SettleWindow"/>).</summary>
    public TypeBracket TimeBracket => Id ?? Field!.Value;

    public bool HasTime => SettleWindow.HasTime(TimeBracket);
}

/// <summary>A key without a time that a run read, and when it was first read: the checkpoint may move to it once that is long enough ago.</summary>
/// <param name="Value">The cursor value (timestamp parts ordered by value), else null.</param>
public sealed record CursorMark(BsonValue? Value, BsonValue Id, long FirstReadMillis);

/// <summary>A part's settled position (null before one settled) and the marks read after it, oldest first.</summary>
public sealed record CursorPart(PartKey Key, BsonValue? Value, BsonValue? Id, IReadOnlyList<CursorMark> Marks)
{
    public bool HasPosition => Id is not null;
}

/// <summary>
/// Where an incremental connector resumes: its parts, or for full mode when the last full run started. Stored as canonical
/// extended JSON in <see cref="Checkpoint.Value"/> (<c>{zenith: 2, parts: [...]}</c>); every earlier form still reads:
/// <c>{_id}</c>, <c>{v, _id}</c> (<c>v: null</c> meant documents without the field), <c>{v, _id, null_id}</c>, <c>{full_sync_at}</c>.
/// </summary>
public sealed record CursorState(IReadOnlyList<CursorPart> Parts, DateTimeOffset? FullSyncAt = null)
{
    private const int Format = 2;
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };

    public static CursorState Empty { get; } = new([]);

    public CursorPart? Find(PartKey key) => Parts.FirstOrDefault(s => s.Key == key);

    /// <summary>The state a stored checkpoint holds for a connector of <paramref name="mode"/>; empty when there is none.</summary>
    public static CursorState Parse(SyncMode mode, Checkpoint? checkpoint)
    {
        if (checkpoint is null || !checkpoint.HasPosition)
        {
            return Empty;
        }

        BsonDocument doc;
        try
        {
            doc = BsonDocument.Parse(checkpoint.Value);
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException or EndOfStreamException)
        {
            throw new ArgumentException("the stored checkpoint is not valid extended JSON; reset the connector's checkpoint", nameof(checkpoint), ex);
        }

        var fullSyncAt = doc.TryGetValue("full_sync_at", out var at) && at.IsValidDateTime ? new DateTimeOffset(at.ToUniversalTime()) : (DateTimeOffset?)null;
        if (doc.Contains("zenith"))
        {
            var parts = doc.TryGetValue("parts", out var s) ? s.AsBsonArray.Select(v => ReadPart(v.AsBsonDocument)).ToList() : [];
            return new CursorState(parts, fullSyncAt);
        }

        return mode switch
        {
            SyncMode.IncrementalId when doc.TryGetValue("_id", out var id) => new CursorState([Position(new PartKey(null, TypeBrackets.Of(id)), null, id)], fullSyncAt),
            SyncMode.IncrementalTimestamp => FromTimestampPair(doc),
            _ => new CursorState([], fullSyncAt),
        };
    }

    /// <summary>The <c>{v, _id, null_id}</c> checkpoints of earlier versions.</summary>
    private static CursorState FromTimestampPair(BsonDocument doc)
    {
        var parts = new List<CursorPart>();
        var nullId = doc.TryGetValue("null_id", out var n) ? n : null;
        if (doc.TryGetValue("v", out var value) && doc.TryGetValue("_id", out var id))
        {
            if (value.IsBsonNull)
            {
                nullId ??= id;
            }
            else
            {
                var bracket = TypeBrackets.Of(value);
                parts.Add(bracket.IsSingleValued() ? Position(new PartKey(bracket, TypeBrackets.Of(id)), null, id) : Position(new PartKey(bracket, null), value, id));
            }
        }

        if (nullId is not null)
        {
            parts.Add(Position(new PartKey(TypeBracket.Null, TypeBrackets.Of(nullId)), null, nullId));
        }

        return new CursorState([.. parts.OrderBy(s => s.Key.Field).ThenBy(s => s.Key.Id)]);
    }

    private static CursorPart Position(PartKey key, BsonValue? value, BsonValue id) => new(key, value, id, []);

    public string ToJson()
    {
        var doc = new BsonDocument("zenith", Format);
        if (Parts.Count > 0)
        {
            doc.Add("parts", new BsonArray(Parts.Select(WritePart)));
        }

        if (FullSyncAt is { } at)
        {
            doc.Add("full_sync_at", new BsonDateTime(at.UtcDateTime));
        }

        return doc.ToJson(Canonical);
    }

    private static BsonDocument WritePart(CursorPart part)
    {
        var doc = new BsonDocument();
        if (part.Key.Field is { } field)
        {
            doc.Add("f", (int)field);
        }

        if (part.Key.Id is { } idBracket)
        {
            doc.Add("i", (int)idBracket);
        }

        if (part.Value is not null)
        {
            doc.Add("v", part.Value);
        }

        if (part.Id is not null)
        {
            doc.Add("_id", part.Id);
        }

        if (part.Marks.Count > 0)
        {
            doc.Add("marks", new BsonArray(part.Marks.Select(m =>
            {
                var mark = new BsonDocument();
                if (m.Value is not null)
                {
                    mark.Add("v", m.Value);
                }

                return mark.Add("_id", m.Id).Add("t", new BsonDateTime(m.FirstReadMillis));
            })));
        }

        return doc;
    }

    private static CursorPart ReadPart(BsonDocument doc)
    {
        var key = new PartKey(
            doc.TryGetValue("f", out var f) ? (TypeBracket)f.ToInt32() : null,
            doc.TryGetValue("i", out var i) ? (TypeBracket)i.ToInt32() : null);
        var marks = doc.TryGetValue("marks", out var m)
            ? m.AsBsonArray.Select(v => v.AsBsonDocument).Select(x => new CursorMark(x.GetValue("v", null), x["_id"], x["t"].AsBsonDateTime.MillisecondsSinceEpoch)).ToList()
            : [];
        return new CursorPart(key, doc.GetValue("v", null), doc.GetValue("_id", null), marks);
    }
}
