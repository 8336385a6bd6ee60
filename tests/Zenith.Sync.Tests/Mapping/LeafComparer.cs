using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Tests.Mapping;

/// <summary>
/// Walks every leaf of every source document and finds it in the ClickHouse row (read with FINAL, as JSONEachRow): in its
/// column, in a map's entry, in a Nested member at its index, inside a JSON column, or in <c>_zenith_extra</c> under its path,
/// and checks it equals the source value. Where a value went is read from the table's own column comments. The JSON type's
/// documented normalisations are the only ones allowed: nulls and empty documents are no value (as in flattened columns), keys
/// are unordered, numbers compare by value.
/// </summary>
public static class LeafComparer
{
    public static async Task AssertTableEqualsSourceAsync(Servers servers, ConnectorSpec connector)
    {
        var db = connector.Destination.Database;
        var table = connector.Destination.Table;
        var columns = (await servers.ClickHouse.QueryAsync($"SELECT name, type, comment FROM system.columns WHERE database = '{db}' AND table = '{table}' ORDER BY position"))
            .Select(r => ColumnComment.Read((string)r[0]!, ColumnType.Parse((string)r[1]!) ?? ColumnType.String, (string)r[2]!))
            .Where(c => !TableSchema.MetadataColumns.Contains(c.Name))
            .ToList();
        var rows = (await servers.ClickHouse.QueryAsync(
                $"SELECT _id, formatRow('JSONEachRow', *) FROM `{db}`.`{table}` FINAL SETTINGS output_format_json_quote_64bit_integers = 0, output_format_json_quote_decimals = 0"))
            .ToDictionary(r => (string)r[0]!, r => JsonDocument.Parse((string)r[1]!).RootElement.Clone(), StringComparer.Ordinal);
        var source = await servers.Collection(connector).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(source.Count, rows.Count);
        var rules = new RuleSet(connector.Mapping.Rules);
        foreach (var document in source)
        {
            var id = TableAssert.IdText(document["_id"]);
            Assert.True(rows.TryGetValue(id, out var row), $"no row for _id {id}");
            foreach (var element in document.Elements.Where(e => e.Name != "_id"))
            {
                Leaf(id, [element.Name], element.Value, row, columns, rules);
            }
        }
    }

    private static void Leaf(string id, List<string> path, BsonValue value, JsonElement row, List<ColumnDef> columns, RuleSet rules)
    {
        if (IsAbsent(value) || !rules.Keeps(path) && !rules.MayHoldKept(path))
        {
            return;
        }

        var where = $"_id {id}, {string.Join('.', path)}";
        if (Find(columns, path, ColumnRole.Map, ColumnRole.Json) is { } whole)
        {
            var rest = path.Skip(whole.Path.Count).ToList();
            var got = Descend(Json(row.GetProperty(whole.Name)), rest);
            if (whole.Role == ColumnRole.Map && got is null && rest.Count == 1)
            {
                got = Descend(Extra(row, columns), path);
            }

            Assert.True(got is not null, $"{where}: not in {whole.Name} nor in _zenith_extra");
            AssertJsonEqual(Expected(value), got.Value, where);
            return;
        }

        var members = columns.Where(c => c.Role == ColumnRole.Nested && c.Path.SequenceEqual(path)).ToList();
        if (members.Count > 0)
        {
            var array = value.AsBsonArray;
            if (members.All(m => row.GetProperty(m.Name).GetArrayLength() == 0) && array.Count > 0)
            {
                AssertJsonEqual(Expected(value), Descend(Extra(row, columns), path) ?? throw new Xunit.Sdk.XunitException($"{where}: array neither in its Nested group nor in _zenith_extra"), where);
                return;
            }

            foreach (var member in members)
            {
                var got = row.GetProperty(member.Name);
                Assert.Equal(array.Count, got.GetArrayLength());
                for (var i = 0; i < array.Count; i++)
                {
                    var item = array[i].AsBsonDocument.GetValue(member.Member![0], BsonNull.Value);
                    Scalar(item, got[i], member.Type.Kind, $"{where}[{i}].{member.Member[0]}");
                }
            }

            return;
        }

        var below = columns.Exists(c => c.Path.Count > path.Count && c.Path.Take(path.Count).SequenceEqual(path));
        if (value is BsonDocument sub && (below || !columns.Exists(c => c.Role == ColumnRole.Field && c.Path.SequenceEqual(path))))
        {
            foreach (var element in sub.Elements)
            {
                Leaf(id, [.. path, element.Name], element.Value, row, columns, rules);
            }

            return;
        }

        var column = columns.FirstOrDefault(c => c.Role == ColumnRole.Field && c.Path.SequenceEqual(path));
        var cell = column is null ? default : row.GetProperty(column.Name);
        if (column is null || cell.ValueKind == JsonValueKind.Null || (column.Type.IsArray && cell.GetArrayLength() == 0 && value is BsonArray { Count: > 0 }))
        {
            var extra = Descend(Extra(row, columns), path);
            Assert.True(extra is not null, $"{where}: no column holds it and _zenith_extra does not either");
            AssertJsonEqual(Expected(value), extra.Value, where);
            return;
        }

        if (column.Type.IsArray)
        {
            var array = value.AsBsonArray;
            Assert.Equal(array.Count, cell.GetArrayLength());
            for (var i = 0; i < array.Count; i++)
            {
                Scalar(array[i], cell[i], column.Type.Kind, $"{where}[{i}]");
            }

            return;
        }

        Scalar(value, cell, column.Type.Kind, where);
    }

    /// <summary>A value in a typed column (or Nested member) against its source.</summary>
    private static void Scalar(BsonValue value, JsonElement got, ColumnKind kind, string where)
    {
        if (IsAbsent(value))
        {
            Assert.True(got.ValueKind == JsonValueKind.Null, $"{where}: expected NULL, got {got}");
            return;
        }

        switch (kind)
        {
            case ColumnKind.Int32 or ColumnKind.Int64:
                Assert.True(got.GetInt64() == (value.IsDouble ? (long)value.AsDouble : value.ToInt64()) && (!value.IsDouble || value.AsDouble == Math.Floor(value.AsDouble)), $"{where}: {value} != {got}");
                break;
            case ColumnKind.Float64:
                Assert.True(got.GetDouble() == value.ToDouble(), $"{where}: {value} != {got}");
                break;
            case ColumnKind.Bool:
                Assert.Equal(value.AsBoolean, got.GetBoolean());
                break;
            case ColumnKind.DateTime64:
                Assert.Equal(value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), got.GetString());
                break;
            default:
                var text = got.GetString()!;
                switch (value.BsonType)
                {
                    case BsonType.String:
                        Assert.Equal(value.AsString, text);
                        break;
                    case BsonType.ObjectId:
                        Assert.Equal(value.AsObjectId.ToString(), text);
                        break;
                    case BsonType.Decimal128:
                        Assert.Equal(value.AsDecimal128.ToString(), text);
                        break;
                    case BsonType.Int32 or BsonType.Int64:
                        Assert.Equal(value.ToInt64().ToString(CultureInfo.InvariantCulture), text);
                        break;
                    case BsonType.Double:
                        Assert.Equal(value.AsDouble, double.Parse(text, CultureInfo.InvariantCulture));
                        break;
                    case BsonType.Boolean:
                        Assert.Equal(value.AsBoolean ? "true" : "false", text);
                        break;
                    default:
                        AssertJsonEqual(Expected(value), JsonDocument.Parse(text).RootElement, where);
                        break;
                }

                break;
        }
    }

    private static ColumnDef? Find(List<ColumnDef> columns, List<string> path, params ColumnRole[] roles) =>
        columns.Where(c => roles.Contains(c.Role) && c.Path.Count <= path.Count && path.Take(c.Path.Count).SequenceEqual(c.Path)).MaxBy(c => c.Path.Count);

    private static JsonElement? Extra(JsonElement row, List<ColumnDef> columns) =>
        columns.FirstOrDefault(c => c.Role == ColumnRole.Extra) is { } extra ? Json(row.GetProperty(extra.Name)) : null;

    /// <summary>A JSON column's value: the object of the JSON type, or the text of a String column parsed.</summary>
    private static JsonElement? Json(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => JsonDocument.Parse(cell.GetString()!).RootElement,
        _ => cell,
    };

    /// <summary>The value under <paramref name="path"/>; the JSON type's escaped keys (<c>%2E</c>, <c>%25</c>) read back as the source's.</summary>
    private static JsonElement? Descend(JsonElement? node, IReadOnlyList<string> path)
    {
        foreach (var segment in path)
        {
            if (node is not { ValueKind: JsonValueKind.Object } current)
            {
                return null;
            }

            node = current.EnumerateObject().Where(p => Unescape(p.Name) == segment).Select(p => (JsonElement?)p.Value).FirstOrDefault();
        }

        return node;
    }

    private static string Unescape(string key) => key.Replace("%2E", ".", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);

    /// <summary>The source value as relaxed extended JSON, the form JSON columns and _zenith_extra hold.</summary>
    private static JsonElement Expected(BsonValue value) =>
        JsonDocument.Parse(new BsonDocument("v", value).ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson })).RootElement.GetProperty("v").Clone();

    private static void AssertJsonEqual(JsonElement expected, JsonElement got, string where)
    {
        Assert.True(JsonEqual(expected, got), $"{where}: expected {expected}, got {got}");
    }

    private static bool JsonEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDecimal() == b.GetDecimal() || a.GetDouble() == b.GetDouble() && !a.TryGetInt64(out _);
        }

        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        return a.ValueKind switch
        {
            JsonValueKind.Object => ObjectEqual(a, b),
            JsonValueKind.Array => a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => JsonEqual(p.First, p.Second)),
            // Relaxed extended JSON writes a date's milliseconds or not: the instant is what must be equal.
            JsonValueKind.String => a.GetString() == b.GetString()
                || (DateTimeOffset.TryParse(a.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var x)
                    && DateTimeOffset.TryParse(b.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var y) && x == y && a.GetString()!.Contains('T', StringComparison.Ordinal)),
            _ => true,
        };
    }

    /// <summary>Objects equal by key (unordered); a null or empty object is the same as no key, as the JSON type stores them.</summary>
    private static bool ObjectEqual(JsonElement a, JsonElement b)
    {
        var left = a.EnumerateObject().Where(p => !Empty(p.Value)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var right = b.EnumerateObject().Where(p => !Empty(p.Value)).ToDictionary(p => Unescape(p.Name), p => p.Value, StringComparer.Ordinal);
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var v) && JsonEqual(p.Value, v));
    }

    private static bool Empty(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => Empty(p.Value)));

    private static bool IsAbsent(BsonValue value) => value.IsBsonNull || value.IsBsonUndefined || value is BsonDocument { ElementCount: 0 } || value is BsonArray { Count: 0 };
}
