using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// Aggregation pipelines: leading <c>$match</c>/<c>$sort</c>/<c>$skip</c>/<c>$limit</c> run as a query
/// over stored bytes; a trailing count (<c>$count</c>, or <c>$group</c> with a constant key and
/// constant <c>$sum</c>s, as <c>CountDocuments</c> sends) is answered without reading documents;
/// other stages (<c>$match $sort $skip $limit $project $group $count $unwind</c>) run in memory.
/// </summary>
internal static class Aggregation
{
    public static ServerCursor Run(string ns, CollectionStore? collection, BsonArray pipeline)
    {
        var stages = pipeline.Select(s => s is BsonDocument d && d.ElementCount == 1
            ? d.GetElement(0)
            : throw new CommandException(40323, "Location40323", "A pipeline stage specification object must contain exactly one field.")).ToList();
        var (query, consumed) = FoldLeadingStages(stages);
        var rest = stages.Skip(consumed).ToList();

        if (rest.Count == 1 && TryCountOnly(rest[0], out var shape))
        {
            var n = collection is null ? 0 : QueryExecutor.Count(collection, query);
            return ListCursor.Of(ns, n == 0 ? [] : [shape(n)]);
        }
        var matches = collection is null ? [] : QueryExecutor.Collect(collection, query);
        if (rest.Count == 0)
        {
            return new ListCursor(ns, matches, null);
        }
        IEnumerable<BsonDocument> documents = matches.Select(m => RawBson.ToDocument(m.Bytes));
        foreach (var stage in rest)
        {
            documents = Apply(documents, stage);
        }
        return ListCursor.Of(ns, documents.ToList());
    }

    private static (QuerySpec Query, int Consumed) FoldLeadingStages(List<BsonElement> stages)
    {
        BsonDocument? filter = null;
        SortSpec? sort = null;
        long skip = 0, limit = 0;
        var i = 0;
        for (; i < stages.Count; i++)
        {
            var (name, value) = (stages[i].Name, stages[i].Value);
            if (name == "$match" && sort is null && skip == 0 && limit == 0)
            {
                filter = filter is null ? value.AsBsonDocument : new BsonDocument("$and", new BsonArray { filter, value });
            }
            else if (name == "$sort" && sort is null && skip == 0 && limit == 0)
            {
                sort = SortSpec.Parse(value.AsBsonDocument);
            }
            else if (name == "$skip")
            {
                var n = value.ToInt64();
                if (limit > 0 && n >= limit)
                {
                    // Skips everything the limit lets through; folded, limit 0 would mean "no limit". Run it in memory.
                    break;
                }
                skip += n;
                if (limit > 0)
                {
                    limit -= n;
                }
            }
            else if (name == "$limit")
            {
                var n = value.ToInt64();
                limit = limit == 0 ? n : Math.Min(limit, n);
            }
            else
            {
                break;
            }
        }
        return (new QuerySpec(filter, sort, skip, limit), i);
    }

    private static bool TryCountOnly(BsonElement stage, out Func<long, BsonDocument> shape)
    {
        if (stage.Name == "$count")
        {
            var field = stage.Value.AsString;
            shape = n => new BsonDocument(field, Number(n));
            return true;
        }
        if (stage.Name == "$group" && stage.Value is BsonDocument group && group.TryGetValue("_id", out var id) &&
            !IsFieldPath(id) && id is not BsonDocument &&
            group.Elements.Where(e => e.Name != "_id").All(e => e.Value is BsonDocument acc && acc.ElementCount == 1 &&
                acc.GetElement(0).Name == "$sum" && acc.GetElement(0).Value.IsNumeric))
        {
            shape = n =>
            {
                var result = new BsonDocument("_id", id);
                foreach (var e in group.Elements.Where(e => e.Name != "_id"))
                {
                    var each = e.Value.AsBsonDocument[0];
                    result[e.Name] = each.BsonType == BsonType.Double ? new BsonDouble(each.AsDouble * n) : Number(each.ToInt64() * n);
                }
                return result;
            };
            return true;
        }
        shape = _ => [];
        return false;
    }

    private static BsonValue Number(long n) => n is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)n) : new BsonInt64(n);

    private static bool IsFieldPath(BsonValue v) => v is BsonString s && s.Value.StartsWith('$');

    private static IEnumerable<BsonDocument> Apply(IEnumerable<BsonDocument> input, BsonElement stage)
    {
        switch (stage.Name)
        {
            case "$match":
                {
                    var filter = Filter.Compile(stage.Value.AsBsonDocument);
                    return filter is null ? input : input.Where(d => filter.Matches(new DocumentFieldSource(d)));
                }
            case "$sort":
                {
                    var sort = SortSpec.Parse(stage.Value.AsBsonDocument)!;
                    var scratch = new List<BsonValue>();
                    var keyed = input.Select((d, i) => (Doc: d, Key: sort.KeyOf(new DocumentFieldSource(d), scratch), Index: i)).ToList();
                    keyed.Sort((a, b) =>
                    {
                        var c = sort.CompareKeys(a.Key, b.Key);
                        return c != 0 ? c : a.Index.CompareTo(b.Index);
                    });
                    return keyed.Select(k => k.Doc);
                }
            case "$skip":
                return input.Skip((int)stage.Value.ToInt64());
            case "$limit":
                return input.Take((int)stage.Value.ToInt64());
            case "$project":
                {
                    var projection = Projection.Parse(stage.Value.AsBsonDocument);
                    return projection is null ? input : input.Select(projection.Apply);
                }
            case "$count":
                {
                    var n = input.LongCount();
                    return n == 0 ? [] : [new BsonDocument(stage.Value.AsString, Number(n))];
                }
            case "$unwind":
                {
                    var path = (stage.Value is BsonDocument spec ? spec["path"] : stage.Value).AsString.TrimStart('$');
                    return input.SelectMany(d => Unwind(d, path));
                }
            case "$group":
                return Group(input, stage.Value.AsBsonDocument);
            default:
                throw new CommandException(40324, "Location40324", $"Unrecognized pipeline stage name: '{stage.Name}'");
        }
    }

    private static IEnumerable<BsonDocument> Unwind(BsonDocument document, string path)
    {
        if (!document.TryGetValue(path, out var value) || value is not BsonArray array)
        {
            if (value is not null && value is not BsonArray && !value.IsBsonNull)
            {
                yield return document;
            }
            yield break;
        }
        foreach (var element in array)
        {
            var copy = document.DeepClone().AsBsonDocument;
            copy[path] = element;
            yield return copy;
        }
    }

    private static IEnumerable<BsonDocument> Group(IEnumerable<BsonDocument> input, BsonDocument spec)
    {
        if (!spec.TryGetValue("_id", out var idExpression))
        {
            throw new CommandException(15955, "Location15955", "a group specification must include an _id");
        }
        var accumulators = spec.Elements.Where(e => e.Name != "_id").Select(e =>
        {
            var acc = e.Value as BsonDocument;
            if (acc is null || acc.ElementCount != 1)
            {
                throw new CommandException(40234, "Location40234", $"The field '{e.Name}' must be an accumulator object");
            }
            return (Field: e.Name, Op: acc.GetElement(0).Name, Argument: acc.GetElement(0).Value);
        }).ToList();
        var groups = new Dictionary<BsonValue, List<BsonDocument>>(new EqualityByOrder());
        var order = new List<BsonValue>();
        foreach (var document in input)
        {
            var key = Evaluate(idExpression, document) ?? BsonNull.Value;
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(document);
        }
        foreach (var key in order)
        {
            var members = groups[key];
            var result = new BsonDocument("_id", key);
            foreach (var (field, op, argument) in accumulators)
            {
                var values = members.Select(m => Evaluate(argument, m)).ToList();
                result[field] = op switch
                {
                    "$sum" => Sum(values),
                    "$count" => Number(values.Count),
                    "$avg" => values.Where(v => v is not null && v.IsNumeric).Select(v => v!.ToDouble()).DefaultIfEmpty(double.NaN).Average() is var avg && double.IsNaN(avg) ? BsonNull.Value : new BsonDouble(avg),
                    "$min" => values.OfType<BsonValue>().Where(v => !v.IsBsonNull).Order(BsonOrder.Instance).FirstOrDefault() ?? BsonNull.Value,
                    "$max" => values.OfType<BsonValue>().Where(v => !v.IsBsonNull).Order(BsonOrder.Instance).LastOrDefault() ?? BsonNull.Value,
                    "$first" => values.FirstOrDefault() ?? BsonNull.Value,
                    "$last" => values.LastOrDefault() ?? BsonNull.Value,
                    "$push" => new BsonArray(values.OfType<BsonValue>()),
                    "$addToSet" => new BsonArray(values.OfType<BsonValue>().Distinct(new EqualityByOrder())),
                    _ => throw new CommandException(15952, "Location15952", $"unknown group operator '{op}'"),
                };
            }
            yield return result;
        }
    }

    private static BsonValue Sum(List<BsonValue?> values)
    {
        long integral = 0;
        double real = 0;
        var isReal = false;
        var isLong = false;
        foreach (var v in values)
        {
            switch (v?.BsonType)
            {
                case BsonType.Int32: integral += v.AsInt32; break;
                case BsonType.Int64: integral += v.AsInt64; isLong = true; break;
                case BsonType.Double: real += v.AsDouble; isReal = true; break;
                case BsonType.Decimal128: real += (double)v.AsDecimal128; isReal = true; break;
            }
        }
        if (isReal)
        {
            return new BsonDouble(real + integral);
        }
        return isLong ? new BsonInt64(integral) : Number(integral);
    }

    /// <summary>Expressions: a <c>"$field.path"</c>, a document of expressions, an array of them, or a literal. Missing fields give null.</summary>
    private static BsonValue? Evaluate(BsonValue expression, BsonDocument document)
    {
        switch (expression)
        {
            case BsonString s when s.Value.StartsWith('$'):
                {
                    BsonValue? current = document;
                    foreach (var segment in s.Value[1..].Split('.'))
                    {
                        current = current is BsonDocument d && d.TryGetValue(segment, out var next) ? next : null;
                    }
                    return current;
                }
            case BsonDocument d when d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$'):
                throw CommandException.NotImplemented($"expression operator {d.GetElement(0).Name} is not supported by this test server");
            case BsonDocument d:
                {
                    var result = new BsonDocument();
                    foreach (var e in d)
                    {
                        result[e.Name] = Evaluate(e.Value, document) ?? BsonNull.Value;
                    }
                    return result;
                }
            default:
                return expression;
        }
    }

    private sealed class EqualityByOrder : IEqualityComparer<BsonValue>
    {
        public bool Equals(BsonValue? x, BsonValue? y) => BsonOrder.AreEqual(x ?? BsonNull.Value, y ?? BsonNull.Value);

        // Numbers of different types must collide when equal, so hash them by their double value.
        public int GetHashCode(BsonValue obj) => obj.IsNumeric ? obj.ToDouble().GetHashCode() : obj.IsBsonNull ? 0 : obj.GetHashCode();
    }
}
