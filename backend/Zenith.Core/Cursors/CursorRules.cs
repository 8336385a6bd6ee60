using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Which documents a run reads and in which order (the checkpoint a batch leaves behind is its mode's
/// <see cref="ICheckpointTracker"/>).
/// incremental_id: <c>_id &gt; checkpoint</c>, sorted by <c>_id</c>. incremental_timestamp: the pair
/// (field, <c>_id</c>) greater than the checkpoint, sorted by both, so ties on the field are never lost;
/// documents without the field first, by <c>_id</c> (see <see cref="TimestampCursor"/>).
/// full: everything, sorted by <c>_id</c>.
/// </summary>
public static class CursorRules
{
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
