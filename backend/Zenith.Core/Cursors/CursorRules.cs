using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Which documents a run reads, in which order, and the checkpoint a batch leaves behind.
/// incremental_id: <c>_id &gt; checkpoint</c>, sorted by <c>_id</c>. incremental_timestamp: the pair
/// (field, <c>_id</c>) greater than the checkpoint, sorted by both, so ties on the field are never lost;
/// documents without the field first, by <c>_id</c> (see <see cref="TimestampCursor"/>).
/// full: everything, sorted by <c>_id</c>.
/// </summary>
public static class CursorRules
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    public static BsonDocument Filter(ConnectorSpec connector, Checkpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var user = ParseJson(connector.Source.Filter, "filter");
        var cursor = connector.Mode switch
        {
            SyncMode.IncrementalId when checkpoint is not null => new BsonDocument("_id", new BsonDocument("$gt", ParseCheckpoint(checkpoint)["_id"])),
            SyncMode.IncrementalTimestamp when checkpoint is not null => Timestamp(checkpoint).Filter(connector.CursorField),
            _ => null,
        };

        if (cursor is null)
        {
            return user ?? [];
        }

        return user is null || user.ElementCount == 0 ? cursor : new BsonDocument("$and", new BsonArray { user, cursor });
    }

    /// <summary>The incremental_timestamp position a checkpoint holds (the start when there is none).</summary>
    public static TimestampCursor Timestamp(Checkpoint? checkpoint) =>
        checkpoint is null ? TimestampCursor.Start : TimestampCursor.From(ParseCheckpoint(checkpoint));

    public static BsonDocument Sort(ConnectorSpec connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.Mode == SyncMode.IncrementalTimestamp
            ? new BsonDocument { { connector.CursorField, 1 }, { "_id", 1 } }
            : new BsonDocument("_id", 1);
    }

    /// <summary>The connector's projection with <c>_id</c> and the cursor field always kept; null for none.</summary>
    public static BsonDocument? Projection(ConnectorSpec connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var projection = ParseJson(connector.Source.Projection, "projection");
        if (projection is null || projection.ElementCount == 0)
        {
            return null;
        }

        projection.Remove("_id");
        var inclusion = projection.Elements.Any(e => e.Value.IsNumeric ? e.Value.ToDouble() != 0 : !e.Value.IsBoolean || e.Value.AsBoolean);
        if (connector.Mode == SyncMode.IncrementalTimestamp)
        {
            if (inclusion)
            {
                projection[connector.CursorField] = 1;
            }
            else
            {
                projection.Remove(connector.CursorField);
            }
        }

        return projection.ElementCount == 0 ? null : projection;
    }

    /// <summary>The checkpoint after a batch whose last document is <paramref name="lastDocument"/> (null for full mode).</summary>
    public static Checkpoint? FromLastDocument(ConnectorSpec connector, BsonDocument lastDocument)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(lastDocument);
        var id = lastDocument.GetValue("_id", BsonNull.Value);
        switch (connector.Mode)
        {
            case SyncMode.IncrementalId:
                var idDoc = new BsonDocument("_id", id);
                return new Checkpoint(idDoc.ToJson(Canonical), "_id > " + id.ToJson(Relaxed));
            case SyncMode.IncrementalTimestamp:
                // Without the previous position: the pipeline advances a TimestampCursor instead.
                var hasValue = !lastDocument.GetValue(connector.CursorField, BsonNull.Value).IsBsonNull;
                return TimestampCursor.Start.Advance(connector.CursorField, hasValue ? null : lastDocument, hasValue ? lastDocument : null).ToCheckpoint(connector.CursorField);
            default:
                return null;
        }
    }

    /// <summary>The checkpoint a successful full run records: when it ran.</summary>
    public static Checkpoint FullSyncAt(DateTimeOffset at)
    {
        var doc = new BsonDocument("full_sync_at", new BsonDateTime(at.UtcDateTime));
        return new Checkpoint(doc.ToJson(Canonical), "full sync at " + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    private static BsonDocument ParseCheckpoint(Checkpoint checkpoint)
    {
        try
        {
            return BsonDocument.Parse(checkpoint.Value);
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException)
        {
            throw new ArgumentException("the stored checkpoint is not valid extended JSON; reset the connector's checkpoint", nameof(checkpoint), ex);
        }
    }

    /// <summary>Parses a filter or projection; a clear error names which one is wrong.</summary>
    public static BsonDocument? ParseJson(string? json, string what)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return BsonDocument.Parse(json);
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException or EndOfStreamException)
        {
            throw new ArgumentException($"the connector's {what} is not a valid MongoDB extended JSON document: {ex.Message}", what, ex);
        }
    }
}
