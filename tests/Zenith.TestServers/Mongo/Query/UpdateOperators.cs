using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// The update operators: <c>$set $unset $inc $mul $min $max $rename $setOnInsert $currentDate $push
/// ($each $slice $sort $position) $addToSet ($each) $pop $pull $pullAll $bit</c>.
/// </summary>
internal static partial class UpdateOperators
{
    public static readonly HashSet<string> Names =
    [
        "$set", "$unset", "$inc", "$mul", "$min", "$max", "$rename", "$setOnInsert", "$currentDate", "$push",
        "$addToSet", "$pop", "$pull", "$pullAll", "$bit",
    ];

    public static void Apply(BsonDocument doc, string op, string dotted, BsonValue argument, bool isInsert, DateTimeOffset now)
    {
        var path = dotted.Split('.');
        switch (op)
        {
            case "$set":
                UpdatePaths.Set(doc, path, argument);
                break;
            case "$setOnInsert":
                if (isInsert)
                {
                    UpdatePaths.Set(doc, path, argument);
                }
                break;
            case "$unset":
                UpdatePaths.Unset(doc, path);
                break;
            case "$inc":
            case "$mul":
                Arithmetic(doc, op, dotted, path, argument);
                break;
            case "$min":
            case "$max":
                {
                    var current = UpdatePaths.Get(doc, path);
                    var c = current is null ? 0 : BsonOrder.CompareValues(argument, current);
                    if (current is null || (op == "$min" ? c < 0 : c > 0))
                    {
                        UpdatePaths.Set(doc, path, argument);
                    }
                    break;
                }
            case "$rename":
                {
                    if (UpdatePaths.Get(doc, path) is { } current)
                    {
                        UpdatePaths.Unset(doc, path);
                        UpdatePaths.Set(doc, argument.AsString.Split('.'), current);
                    }
                    break;
                }
            case "$currentDate":
                CurrentDate(doc, path, argument, now);
                break;
            case "$push":
                Push(doc, dotted, path, argument);
                break;
            case "$addToSet":
                {
                    var array = ArrayAt(doc, dotted, path, op) ?? [];
                    var items = argument is BsonDocument { ElementCount: > 0 } each && each.GetElement(0).Name == "$each"
                        ? EachArgument(each, op)
                        : [argument];
                    foreach (var item in items.Where(item => !array.Any(existing => BsonOrder.AreEqual(existing, item))))
                    {
                        array.Add(item);
                    }
                    UpdatePaths.Set(doc, path, array);
                    break;
                }
            case "$pop":
                {
                    if (!argument.IsNumeric || argument.ToDouble() is not (1 or -1))
                    {
                        throw CommandException.FailedToParse($"$pop expects 1 or -1, found: {argument}");
                    }
                    if (ArrayAt(doc, dotted, path, op) is { Count: > 0 } array)
                    {
                        array.RemoveAt(argument.ToDouble() > 0 ? array.Count - 1 : 0);
                    }
                    break;
                }
            case "$pullAll":
                {
                    var values = argument as BsonArray ?? throw CommandException.BadValue($"$pullAll requires an array argument but was given a {argument.BsonType}");
                    if (ArrayAt(doc, dotted, path, op) is { } array)
                    {
                        RemoveWhere(array, e => values.Any(v => BsonOrder.AreEqual(e, v)));
                    }
                    break;
                }
            case "$pull":
                {
                    var matches = PullCondition(argument);
                    if (ArrayAt(doc, dotted, path, op) is { } array)
                    {
                        RemoveWhere(array, matches);
                    }
                    break;
                }
            case "$bit":
                Bit(doc, dotted, path, argument);
                break;
        }
    }

    private static void Arithmetic(BsonDocument doc, string op, string dotted, string[] path, BsonValue argument)
    {
        var current = UpdatePaths.Get(doc, path);
        if (!argument.IsNumeric)
        {
            throw CommandException.TypeMismatch($"Cannot {(op == "$inc" ? "increment" : "multiply")} with non-numeric argument: {{{dotted}: {argument}}}");
        }
        if (current is not null && !current.IsNumeric)
        {
            throw CommandException.TypeMismatch($"Cannot apply {op} to a value of non-numeric type. {{_id: {ShellFormat.Value(doc.GetValue("_id", BsonNull.Value))}}} has the field '{dotted}' of non-numeric type {current.BsonType}");
        }
        // $mul on a missing field sets 0 of the argument's type; $inc sets the argument.
        var start = current ?? (op == "$inc" ? new BsonInt32(0) : Zero(argument));
        UpdatePaths.Set(doc, path, Numbers(start, argument, op == "$mul"));
    }

    private static BsonValue Zero(BsonValue like) => like.BsonType switch
    {
        BsonType.Int64 => new BsonInt64(0),
        BsonType.Double => new BsonDouble(0),
        BsonType.Decimal128 => new BsonDecimal128(0),
        _ => new BsonInt32(0),
    };

    private static BsonValue Numbers(BsonValue a, BsonValue b, bool multiply)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            var (x, y) = (a.ToDecimal(), b.ToDecimal());
            return new BsonDecimal128(multiply ? x * y : x + y);
        }
        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            return new BsonDouble(multiply ? a.ToDouble() * b.ToDouble() : a.ToDouble() + b.ToDouble());
        }
        try
        {
            var l = multiply ? checked(a.ToInt64() * b.ToInt64()) : checked(a.ToInt64() + b.ToInt64());
            return a.BsonType == BsonType.Int32 && b.BsonType == BsonType.Int32 && l is >= int.MinValue and <= int.MaxValue
                ? new BsonInt32((int)l)
                : new BsonInt64(l);
        }
        catch (OverflowException)
        {
            throw CommandException.BadValue($"Failed to apply {(multiply ? "$mul" : "$inc")} operations to current value ({a}) for document: result would overflow a 64-bit integer");
        }
    }

    private static void CurrentDate(BsonDocument doc, string[] path, BsonValue argument, DateTimeOffset now)
    {
        bool asTimestamp;
        switch (argument)
        {
            case BsonBoolean:
                asTimestamp = false;
                break;
            case BsonDocument d when d.ElementCount == 1 && d.TryGetValue("$type", out var type) && type is BsonString { Value: "date" or "timestamp" }:
                asTimestamp = type.AsString == "timestamp";
                break;
            default:
                throw CommandException.BadValue($"{argument} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({{$type: 'timestamp/date'}}).");
        }
        UpdatePaths.Set(doc, path, asTimestamp ? new BsonTimestamp((int)now.ToUnixTimeSeconds(), 1) : new BsonDateTime(now.ToUnixTimeMilliseconds()));
    }

    private static void Bit(BsonDocument doc, string dotted, string[] path, BsonValue argument)
    {
        var spec = argument as BsonDocument ?? throw CommandException.BadValue($"The $bit modifier is not compatible with a {argument.BsonType}. You must pass in an embedded document: {{$bit: {{field: {{and/or/xor: #}}}}");
        var current = UpdatePaths.Get(doc, path) ?? new BsonInt32(0);
        if (current.BsonType is not (BsonType.Int32 or BsonType.Int64))
        {
            throw CommandException.BadValue($"Cannot apply $bit to a value of non-integral type.{{_id: {ShellFormat.Value(doc.GetValue("_id", BsonNull.Value))}}} has the field {dotted} of non-integer type {current.BsonType}");
        }
        foreach (var operation in spec)
        {
            if (operation.Value.BsonType is not (BsonType.Int32 or BsonType.Int64))
            {
                throw CommandException.BadValue($"The $bit modifier field must be an Integer(32/64 bit); a '{operation.Value.BsonType}' is not supported here: {{{operation.Name}: {operation.Value}}}");
            }
            var (x, y) = (current.ToInt64(), operation.Value.ToInt64());
            var result = operation.Name switch
            {
                "and" => x & y,
                "or" => x | y,
                "xor" => x ^ y,
                _ => throw CommandException.BadValue($"The $bit modifier only supports 'and', 'or', and 'xor', not '{operation.Name}' which is an unknown operator: {{{operation.Name}: {operation.Value}}}"),
            };
            current = current.BsonType == BsonType.Int32 && operation.Value.BsonType == BsonType.Int32 ? new BsonInt32((int)result) : new BsonInt64(result);
        }
        UpdatePaths.Set(doc, path, current);
    }

    private static void RemoveWhere(BsonArray array, Func<BsonValue, bool> remove)
    {
        for (var i = array.Count - 1; i >= 0; i--)
        {
            if (remove(array[i]))
            {
                array.RemoveAt(i);
            }
        }
    }

    private static BsonArray? ArrayAt(BsonDocument doc, string dotted, string[] path, string op)
    {
        var current = UpdatePaths.Get(doc, path);
        if (current is not null and not BsonArray)
        {
            throw op is "$push" or "$addToSet"
                ? CommandException.BadValue($"The field '{dotted}' must be an array but is of type {current.BsonType} in document {{_id: {ShellFormat.Value(doc.GetValue("_id", BsonNull.Value))}}}")
                : CommandException.BadValue($"Cannot apply {op} to a non-array value");
        }
        return current as BsonArray;
    }
}
