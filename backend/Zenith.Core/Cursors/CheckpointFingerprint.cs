using System.Security.Cryptography;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// What a checkpoint means: the mode, its cursor field, the source (database, collection, filter, projection) and the destination
/// (database, table). A position is only valid for the definition it was made for: any of these changed, it points into other
/// data or another table. Filters and projections are compared as documents, so spacing does not count.
/// </summary>
public static class CheckpointFingerprint
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };

    public static string Of(ConnectorSpec connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var text = string.Join('\n', Parts(connector).Select(p => p.Name + "=" + p.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>The parts that differ between two definitions, in words (empty when the checkpoint still applies).</summary>
    public static IReadOnlyList<string> Changes(ConnectorSpec before, ConnectorSpec after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = Parts(before).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        return [.. Parts(after).Where(p => !old.TryGetValue(p.Name, out var v) || v != p.Value).Select(p => p.Name)];
    }

    private static IEnumerable<(string Name, string Value)> Parts(ConnectorSpec c)
    {
        yield return ("mode", c.Mode.ToString());
        if (c.Mode == SyncMode.IncrementalTimestamp)
        {
            yield return ("cursor field", c.CursorField);
        }

        yield return ("source database", c.Source.Database);
        yield return ("source collection", c.Source.Collection);
        yield return ("filter", Document(c.Source.Filter));
        yield return ("projection", Document(c.Source.Projection));
        yield return ("destination database", c.Destination.Database);
        yield return ("destination table", c.Destination.Table);
    }

    private static string Document(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return string.Empty;
        }

        try
        {
            var doc = BsonDocument.Parse(json);
            return doc.ElementCount == 0 ? string.Empty : doc.ToJson(Canonical);
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or InvalidOperationException or EndOfStreamException)
        {
            return json.Trim();
        }
    }
}
