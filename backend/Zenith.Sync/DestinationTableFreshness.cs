using System.Globalization;
using MongoDB.Bson;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync;

/// <summary>
/// How the newest change a destination table holds is read from it, by mode: the largest cursor value (incremental by timestamp,
/// when its column is a date), the creation time of the largest ObjectId <c>_id</c> (incremental by id); otherwise, and when those
/// find nothing, the newest sync time (<c>_synced_at</c>).
/// </summary>
internal static class DestinationTableFreshness
{
    /// <summary>The expression to read, and how its text becomes a time (null: not a time, fall back to the sync time).</summary>
    public readonly record struct Newest(string? Sql, Func<string, DateTimeOffset?> Parse);

    public static Newest For(ConnectorSpec connector, IReadOnlyList<(string Name, string Type, string Comment)> columns)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(columns);
        switch (connector.Mode)
        {
            case SyncMode.IncrementalTimestamp:
                var path = connector.CursorField.Split('.');
                var cursor = columns.FirstOrDefault(c => c.Type.Contains("DateTime", StringComparison.Ordinal)
                    && ColumnComment.PathOf(c.Comment) is { } p && p.SequenceEqual(path, StringComparer.Ordinal));
                return cursor.Name is null ? new Newest(null, _ => null) : new Newest(Ddl.Max(cursor.Name), ParseTime);
            case SyncMode.IncrementalId:
                return new Newest(Ddl.NewestObjectId, text => ObjectId.TryParse(text, out var id) ? new DateTimeOffset(id.CreationTime, TimeSpan.Zero) : null);
            default:
                return new Newest(null, _ => null);
        }
    }

    /// <summary>ClickHouse's text of a DateTime64 in UTC ("2026-11-23 10:00:02.125"); the zero date (all NULL) is no time.</summary>
    public static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
        && time > DateTimeOffset.UnixEpoch
            ? time
            : null;

    /// <summary>A column's document path from Zenith's comment; <c>_id</c> for the id, empty for Zenith's own columns.</summary>
    public static string SourcePath(string name, string comment) =>
        name == TableSchema.IdColumn ? "_id" : ColumnComment.PathOf(comment) is { } path ? string.Join('.', path) : string.Empty;
}
