using MongoDB.Bson;

namespace Zenith.Service.Api;

/// <summary>
/// A connector's filter and projection are MongoDB extended JSON, and also a query MongoDB must accept: what is refused here
/// would otherwise fail every run (<c>{"$and": []}</c>), do something else than it says (a projection of only <c>_id</c> read as
/// "all fields"), or run JavaScript on the source with the stored credentials. The checks follow MongoDB's query language
/// (operators it does not know are its error 2, BadValue); the server still has the last word on the rest.
/// </summary>
public static class QueryValidator
{
    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal)
    {
        "$and", "$or", "$nor", "$expr", "$text", "$comment", "$jsonSchema", "$alwaysTrue", "$alwaysFalse", "$sampleRate",
    };

    private static readonly HashSet<string> FieldOperators = new(StringComparer.Ordinal)
    {
        "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$type", "$regex", "$options", "$not", "$size", "$all",
        "$mod", "$elemMatch", "$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear", "$geoWithin", "$geoIntersects",
        "$near", "$nearSphere", "$minDistance", "$maxDistance",
    };

    /// <summary>Why the filter is no query MongoDB would run as meant, or null.</summary>
    public static string? FilterError(BsonDocument filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Expression(filter, "filter");
    }

    /// <summary>Why the projection would not copy what it says, or null.</summary>
    public static string? ProjectionError(BsonDocument projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var fields = projection.Elements.Where(e => e.Name != "_id").ToList();
        if (projection.ElementCount > 0 && fields.Count == 0)
        {
            return "A projection of only _id would copy nothing but _id (which Zenith always copies); leave the projection empty to copy every field, or name the fields to copy.";
        }

        foreach (var element in projection)
        {
            if (element.Name.StartsWith('$'))
            {
                return $"'{element.Name}' is not a field; a projection names fields (\"field\": 1 to copy it, 0 to leave it out).";
            }

            if (!(element.Value.IsNumeric || element.Value.IsBoolean))
            {
                return $"The projection of '{element.Name}' must be 1 (copy) or 0 (leave out); expressions are not supported.";
            }
        }

        var included = fields.Select(e => e.Value.IsNumeric ? e.Value.ToDouble() != 0 : e.Value.AsBoolean).Distinct().ToList();
        return included.Count > 1
            ? "A projection either names the fields to copy (1) or the fields to leave out (0), not both (MongoDB refuses the mix; _id may be either)."
            : null;
    }

    private static string? Expression(BsonDocument query, string at)
    {
        foreach (var element in query)
        {
            var name = element.Name;
            var where = $"{at}.{name}";
            if (name is "$where" || (name.StartsWith('$') && name.Contains("function", StringComparison.OrdinalIgnoreCase)))
            {
                return $"{where}: server-side JavaScript is not allowed in a connector's filter (it would run on the source with the stored credentials); use query operators.";
            }

            if (name is "$and" or "$or" or "$nor")
            {
                if (element.Value is not BsonArray { Count: > 0 } branches)
                {
                    return $"{where} must be a non-empty array of conditions (MongoDB refuses an empty one).";
                }

                foreach (var (branch, i) in branches.Select((b, i) => (b, i)))
                {
                    if (branch is not BsonDocument condition)
                    {
                        return $"{where}[{i}] must be a condition (a document).";
                    }

                    if (Expression(condition, $"{where}[{i}]") is { } error)
                    {
                        return error;
                    }
                }

                continue;
            }

            if (name.StartsWith('$'))
            {
                if (!TopLevel.Contains(name))
                {
                    return $"{where}: '{name}' is not a MongoDB query operator at this level (a field condition looks like {{\"field\": {{\"$gt\": 1}}}}).";
                }

                if (name == "$expr" && Javascript(element.Value) is { } js)
                {
                    return $"{where}: server-side JavaScript ({js}) is not allowed in a connector's filter.";
                }

                continue;
            }

            if (element.Value is BsonDocument operators && operators.ElementCount > 0 && operators.GetElement(0).Name.StartsWith('$'))
            {
                if (Operators(operators, where) is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static string? Operators(BsonDocument operators, string at)
    {
        foreach (var element in operators)
        {
            var where = $"{at}.{element.Name}";
            if (!FieldOperators.Contains(element.Name))
            {
                return element.Name.StartsWith('$')
                    ? $"{where}: '{element.Name}' is not a MongoDB query operator."
                    : $"{where}: operators and field names cannot be mixed in one condition.";
            }

            switch (element.Name)
            {
                case "$in" or "$nin" or "$all" when element.Value is not BsonArray:
                    return $"{where} needs an array of values.";
                case "$not" when element.Value is not (BsonDocument or BsonRegularExpression):
                    return $"{where} needs an operator document or a regular expression.";
                case "$not" when element.Value is BsonDocument inner && Operators(inner, where) is { } error:
                    return error;
                case "$elemMatch" when element.Value is not BsonDocument:
                    return $"{where} needs a condition (a document).";
                case "$exists" when !(element.Value.IsBoolean || element.Value.IsNumeric):
                    return $"{where} needs true or false.";
                case "$size" when !element.Value.IsNumeric:
                    return $"{where} needs a number.";
                default:
                    break;
            }
        }

        return null;
    }

    /// <summary>The JavaScript operator an aggregation expression uses ($function, $accumulator, $where), or null.</summary>
    private static string? Javascript(BsonValue value) => value switch
    {
        BsonDocument document => document.Elements
            .Select(e => e.Name is "$function" or "$accumulator" or "$where" ? e.Name : Javascript(e.Value))
            .FirstOrDefault(js => js is not null),
        BsonArray array => array.Select(Javascript).FirstOrDefault(js => js is not null),
        _ => null,
    };
}
