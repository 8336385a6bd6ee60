using System.Globalization;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Query;

namespace Zenith.TestServers.Mongo.Storage;

/// <summary>An index's key pattern, e.g. <c>{updated_at: 1, _id: 1}</c>: the fields it orders by and their directions.</summary>
internal sealed class IndexKeyPattern
{
    private IndexKeyPattern(BsonDocument document, List<(FieldPath Path, bool Descending)> fields)
    {
        Document = document;
        Fields = fields;
        Descending = [.. fields.Select(f => f.Descending)];
    }

    public BsonDocument Document { get; }

    public IReadOnlyList<(FieldPath Path, bool Descending)> Fields { get; }

    public bool[] Descending { get; }

    public bool IsIdOnly => Fields.Count == 1 && Fields[0].Path.Dotted == "_id";

    /// <summary>Parses and checks a key pattern as <c>createIndexes</c> does; special index types answer NotImplemented.</summary>
    public static IndexKeyPattern Parse(BsonDocument key)
    {
        if (key.ElementCount == 0)
        {
            throw new CommandException(67, "CannotCreateIndex", "Index keys cannot be an empty object.");
        }
        var fields = new List<(FieldPath, bool)>();
        foreach (var element in key)
        {
            if (element.Value is BsonString special)
            {
                throw CommandException.NotImplemented($"'{special.Value}' indexes are not supported by this test server (field '{element.Name}'); only ascending and descending keys are");
            }
            if (!element.Value.IsNumeric)
            {
                throw new CommandException(67, "CannotCreateIndex", $"Values in v:2 index key pattern cannot be of type {element.Value.BsonType}. Only numbers > 0, numbers < 0, and strings are allowed.");
            }
            var direction = element.Value.ToDouble();
            if (direction == 0 || double.IsNaN(direction))
            {
                throw new CommandException(67, "CannotCreateIndex", $"Values in the index key pattern can't be 0. Found {element.Name}: {element.Value}");
            }
            if (element.Name.Length == 0 || element.Name.StartsWith('$') || element.Name.Split('.').Any(s => s.Length == 0))
            {
                throw new CommandException(67, "CannotCreateIndex", $"Index key contains an illegal field name: '{element.Name}'");
            }
            fields.Add((new FieldPath(element.Name), direction < 0));
        }
        return new IndexKeyPattern(key, fields);
    }

    /// <summary>The name drivers and the shell give an index: <c>field_direction</c> pairs joined by underscores.</summary>
    public string DefaultName() => string.Join('_', Document.Select(e => e.Name + "_" + FormatDirection(e.Value)));

    private static string FormatDirection(BsonValue v) =>
        v.BsonType == BsonType.Double ? v.AsDouble.ToString(CultureInfo.InvariantCulture) : v.ToString()!;

    /// <summary>
    /// The index keys of a document (one per array element on a multikey path); returns true when a path
    /// went through an array. Two array paths in one compound key are refused, as mongod does.
    /// </summary>
    public bool GenerateKeys<TSource>(TSource source, List<BsonValue[]> output)
        where TSource : IFieldSource
    {
        if (Fields.Count == 1)
        {
            var values = new List<BsonValue>(1);
            var multikey = Fields[0].Path.KeyValues(source, values);
            foreach (var v in Distinct(values))
            {
                output.Add([v]);
            }
            return multikey;
        }
        var perField = new List<BsonValue>[Fields.Count];
        var arrayField = -1;
        var anyArray = false;
        for (var i = 0; i < Fields.Count; i++)
        {
            perField[i] = [];
            var throughArray = Fields[i].Path.KeyValues(source, perField[i]);
            anyArray |= throughArray;
            if (perField[i].Count > 1)
            {
                if (arrayField >= 0)
                {
                    throw new CommandException(171, "CannotIndexParallelArrays", $"cannot index parallel arrays [{Fields[i].Path.Dotted}] [{Fields[arrayField].Path.Dotted}]");
                }
                arrayField = i;
            }
        }
        var varying = arrayField < 0 ? [perField[0][0]] : Distinct(perField[arrayField]);
        foreach (var value in varying)
        {
            var key = new BsonValue[Fields.Count];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = i == arrayField ? value : perField[i][0];
            }
            output.Add(key);
        }
        return anyArray;
    }

    private static List<BsonValue> Distinct(List<BsonValue> values)
    {
        if (values.Count <= 1)
        {
            return values;
        }
        if (values.Count > 32)
        {
            var sorted = values.Order(Bson.BsonOrder.Instance).ToList();
            return [.. sorted.Where((v, i) => i == 0 || !Bson.BsonOrder.AreEqual(sorted[i - 1], v))];
        }
        var result = new List<BsonValue>(values.Count);
        foreach (var v in values)
        {
            if (!result.Exists(r => Bson.BsonOrder.AreEqual(r, v)))
            {
                result.Add(v);
            }
        }
        return result;
    }
}
