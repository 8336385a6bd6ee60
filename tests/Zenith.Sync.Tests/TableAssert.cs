using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests;

/// <summary>Compares the ClickHouse table (read with FINAL) with the source collection, row for row and value for value.</summary>
public static class TableAssert
{
    /// <summary>For flat documents whose fields are ints, longs, doubles, strings, bools and dates.</summary>
    public static async Task EqualsSourceAsync(Servers servers, ConnectorSpec connector, IReadOnlyList<string> fields)
    {
        if (await DifferenceAsync(servers, connector, fields) is { } difference)
        {
            Assert.Fail(difference);
        }
    }

    /// <summary>
    /// How the table differs from the source (null when it does not): read with FINAL, or from <paramref name="view"/> as it is
    /// (a change-stream table's current-rows view, which needs neither FINAL nor a filter).
    /// </summary>
    public static async Task<string?> DifferenceAsync(Servers servers, ConnectorSpec connector, IReadOnlyList<string> fields, string? view = null)
    {
        var source = await servers.Collection(connector).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        var expected = source
            .Select(d => (Id: IdText(d["_id"]), Values: fields.Select(f => d.TryGetValue(f, out var v) ? Normalize(v) : null).ToArray()))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        var columns = string.Join(", ", fields.Select(f => "toString(`" + f + "`)"));
        var from = view is null
            ? $"`{connector.Destination.Database}`.`{connector.Destination.Table}` FINAL"
            : $"`{connector.Destination.Database}`.`{view}`";
        IReadOnlyList<object?[]> rows;
        try
        {
            rows = await servers.ClickHouse.QueryAsync($"SELECT _id, {columns} FROM {from} ORDER BY _id");
        }
        catch (global::ClickHouse.Driver.ClickHouseServerException ex) when (view is not null)
        {
            // The table, the view or a column is not there yet.
            return ex.Message;
        }

        var actual = rows.Select(r => (Id: (string)r[0]!, Values: r.Skip(1).Select(v => v as string).ToArray())).ToList();
        var sortedActual = actual.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();

        if (expected.Count != sortedActual.Count)
        {
            var missing = expected.Select(r => r.Id).Except(sortedActual.Select(r => r.Id)).Take(10);
            var extra = sortedActual.Select(r => r.Id).Except(expected.Select(r => r.Id)).Take(10);
            return $"{expected.Count} documents, {sortedActual.Count} rows; missing {string.Join(", ", missing)}; extra {string.Join(", ", extra)}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i].Id != sortedActual[i].Id)
            {
                return $"row {i}: _id {sortedActual[i].Id}, expected {expected[i].Id}";
            }

            if (!expected[i].Values.SequenceEqual(sortedActual[i].Values))
            {
                return $"_id {expected[i].Id}: [{string.Join(", ", sortedActual[i].Values)}], expected [{string.Join(", ", expected[i].Values)}]";
            }
        }

        return null;
    }

    public static string IdText(BsonValue id) => id.IsObjectId ? id.AsObjectId.ToString() : id.IsString ? id.AsString : id.ToString()!;

    /// <summary>What ClickHouse's toString prints for the value in its typed column.</summary>
    private static string? Normalize(BsonValue value) => value.BsonType switch
    {
        BsonType.Null => null,
        BsonType.Int32 => value.AsInt32.ToString(CultureInfo.InvariantCulture),
        BsonType.Int64 => value.AsInt64.ToString(CultureInfo.InvariantCulture),
        BsonType.Double => value.AsDouble.ToString("R", CultureInfo.InvariantCulture),
        BsonType.Boolean => value.AsBoolean ? "true" : "false",
        BsonType.DateTime => value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        BsonType.String => value.AsString,
        _ => value.ToString(),
    };
}
