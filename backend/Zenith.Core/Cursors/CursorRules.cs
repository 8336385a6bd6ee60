using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Which documents a run reads and in which order (the checkpoint a batch leaves behind is its mode's
/// <see cref="ICheckpointTracker"/>). incremental_id: sorted by <c>_id</c>; incremental_timestamp: by (field, <c>_id</c>), so ties
/// on the field are never lost; both read what follows the checkpoint in every type bracket (<see cref="CursorFilter"/>).
/// full: everything, sorted by <c>_id</c>.
/// </summary>
public static class CursorRules
{
    public static BsonDocument Filter(ConnectorSpec connector, Checkpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var user = ParseJson(connector.Source.Filter, "filter");
        var state = CursorState.Parse(connector.Mode, checkpoint);
        var cursor = connector.Mode switch
        {
            SyncMode.IncrementalId => CursorFilter.ForIds(state),
            SyncMode.IncrementalTimestamp => CursorFilter.ForTimestamp(connector.CursorField, state),
            _ => null,
        };

        if (cursor is null)
        {
            return user ?? [];
        }

        return user is null || user.ElementCount == 0 ? cursor : new BsonDocument("$and", new BsonArray { user, cursor });
    }

    public static BsonDocument Sort(ConnectorSpec connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.Mode == SyncMode.IncrementalTimestamp
            ? new BsonDocument { { connector.CursorField, 1 }, { "_id", 1 } }
            : new BsonDocument("_id", 1);
    }

    /// <summary>
    /// The connector's projection with <c>_id</c> and the cursor field always kept (an exclusion of the field or of a document
    /// holding it is dropped; an inclusion of a document holding it already keeps it); null for none.
    /// </summary>
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
            var field = connector.CursorField;
            bool Holds(string path) => path == field || field.StartsWith(path + ".", StringComparison.Ordinal);
            if (!inclusion)
            {
                foreach (var name in projection.Names.Where(Holds).ToList())
                {
                    projection.Remove(name);
                }
            }
            else if (!projection.Names.Any(Holds))
            {
                projection[field] = 1;
            }
        }

        return projection.ElementCount == 0 ? null : projection;
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
