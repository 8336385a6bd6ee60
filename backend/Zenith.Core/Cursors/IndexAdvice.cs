using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Whether the collection has an index that gives a mode's order, so MongoDB reads only what follows the checkpoint instead of
/// scanning and sorting the whole collection in memory on every run. incremental_timestamp needs <c>{field: 1, _id: 1}</c> (or
/// both descending; after fields the filter fixes by equality); <c>_id</c> is always indexed. Sparse, partial, hidden and collated
/// indexes do not serve a sort of every document.
/// </summary>
public static class IndexAdvice
{
    /// <summary>What to create when no index serves the mode (one line for a person), or null when one does.</summary>
    /// <param name="indexes">The collection's index descriptions, as <c>listIndexes</c> returns them.</param>
    public static string? MissingIndex(ConnectorSpec connector, IEnumerable<BsonDocument> indexes)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(indexes);
        if (connector.Mode != SyncMode.IncrementalTimestamp)
        {
            return null;
        }

        var equalities = EqualityFields(connector.Source.Filter);
        if (indexes.Any(i => Serves(i, connector.CursorField, equalities)))
        {
            return null;
        }

        var field = connector.CursorField;
        return $"No index gives incremental_timestamp's order ({field}, _id): every run scans and sorts the whole collection in memory, " +
            $"and a document updated during that scan is only seen again by the next run. Create it: " +
            $"db.getCollection(\"{connector.Source.Collection}\").createIndex({{ \"{field}\": 1, \"_id\": 1 }})";
    }

    private static bool Serves(BsonDocument index, string field, HashSet<string> equalities)
    {
        if (index.GetValue("sparse", false).ToBoolean() || index.Contains("partialFilterExpression") || index.GetValue("hidden", false).ToBoolean())
        {
            return false;
        }

        if (index.TryGetValue("collation", out var collation) && collation.IsBsonDocument && collation["locale"] != "simple")
        {
            return false;
        }

        if (!index.TryGetValue("key", out var key) || !key.IsBsonDocument)
        {
            return false;
        }

        var elements = key.AsBsonDocument.Elements.ToList();
        var at = 0;
        while (at < elements.Count && elements[at].Name != field && equalities.Contains(elements[at].Name))
        {
            at++;
        }

        return at + 1 < elements.Count
            && elements[at].Name == field && elements[at + 1].Name == "_id"
            && Direction(elements[at].Value) is { } d && Direction(elements[at + 1].Value) == d;
    }

    private static int? Direction(BsonValue value) => value.IsNumeric ? Math.Sign(value.ToDouble()) is var s and not 0 ? s : null : null;

    /// <summary>Top-level fields the user's filter fixes to one value (<c>{org: 5}</c>, <c>{org: {$eq: 5}}</c>).</summary>
    private static HashSet<string> EqualityFields(string? filter)
    {
        var doc = CursorRules.ParseJson(filter, "filter");
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in doc?.Elements ?? [])
        {
            var isOperator = element.Value is BsonDocument d && d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$');
            if (!element.Name.StartsWith('$') && (!isOperator || element.Value.AsBsonDocument.Names.SequenceEqual(["$eq"])))
            {
                fields.Add(element.Name);
            }
        }

        return fields;
    }
}
