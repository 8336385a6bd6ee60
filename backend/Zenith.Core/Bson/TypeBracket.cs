// CA1720: these members are named after the BSON types they stand for, on purpose.
#pragma warning disable CA1720
using MongoDB.Bson;

namespace Zenith.Core.Bson;

/// <summary>
/// MongoDB's type brackets, valued as mongod's <c>canonicalizeBSONType</c>: the order of types in a sort (MinKey, undefined,
/// null and missing, numbers, strings, documents, arrays, binary, ObjectId, booleans, dates, timestamps, regular expressions,
/// DBPointer, JavaScript, JavaScript with scope, MaxKey). Comparisons (<c>$gt</c>, <c>$lt</c>) never cross a bracket; numbers of
/// every width are one bracket (1, 1L and 1.0 are equal), as are strings and symbols.
/// </summary>
public enum TypeBracket : sbyte
{
    MinKey = -1,
    Undefined = 0,
    Null = 5,
    Number = 10,
    String = 15,
    Object = 20,
    Array = 25,
    Binary = 30,
    ObjectId = 35,
    Boolean = 40,
    Date = 45,
    Timestamp = 47,
    Regex = 50,
    DbPointer = 55,
    JavaScript = 60,
    JavaScriptWithScope = 65,
    MaxKey = 127,
}

public static class TypeBrackets
{
    /// <summary>Every bracket, in MongoDB's sort order.</summary>
    public static IReadOnlyList<TypeBracket> InOrder { get; } = [.. Enum.GetValues<TypeBracket>().Order()];

    /// <summary>The bracket of a raw element's type byte; 0 (no element: a missing field) sorts as null.</summary>
    public static TypeBracket Of(byte typeCode) => typeCode switch
    {
        0 or BsonTypeCode.Null => TypeBracket.Null,
        BsonTypeCode.MinKey => TypeBracket.MinKey,
        BsonTypeCode.Undefined => TypeBracket.Undefined,
        BsonTypeCode.Double or BsonTypeCode.Int32 or BsonTypeCode.Int64 or BsonTypeCode.Decimal128 => TypeBracket.Number,
        BsonTypeCode.String or BsonTypeCode.Symbol => TypeBracket.String,
        BsonTypeCode.Document => TypeBracket.Object,
        BsonTypeCode.Array => TypeBracket.Array,
        BsonTypeCode.Binary => TypeBracket.Binary,
        BsonTypeCode.ObjectId => TypeBracket.ObjectId,
        BsonTypeCode.Boolean => TypeBracket.Boolean,
        BsonTypeCode.DateTime => TypeBracket.Date,
        BsonTypeCode.Timestamp => TypeBracket.Timestamp,
        BsonTypeCode.Regex => TypeBracket.Regex,
        BsonTypeCode.DbPointer => TypeBracket.DbPointer,
        BsonTypeCode.JavaScript => TypeBracket.JavaScript,
        BsonTypeCode.JavaScriptWithScope => TypeBracket.JavaScriptWithScope,
        BsonTypeCode.MaxKey => TypeBracket.MaxKey,
        _ => throw new FormatException($"unknown BSON element type 0x{typeCode:X2}"),
    };

    public static TypeBracket Of(BsonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.BsonType switch
        {
            BsonType.MinKey => TypeBracket.MinKey,
            BsonType.MaxKey => TypeBracket.MaxKey,
            _ => Of((byte)value.BsonType),
        };
    }

    /// <summary>Brackets that hold one value only: every document in one of them ties, so only <c>_id</c> orders them.</summary>
    public static bool IsSingleValued(this TypeBracket bracket) => bracket is TypeBracket.MinKey or TypeBracket.Undefined or TypeBracket.Null or TypeBracket.MaxKey;

    /// <summary>Whether an <c>_id</c> may be of this bracket (MongoDB refuses arrays, regular expressions and undefined).</summary>
    public static bool IsPossibleId(this TypeBracket bracket) => bracket is not (TypeBracket.Array or TypeBracket.Regex or TypeBracket.Undefined);

    /// <summary>The bracket's name: MongoDB's <c>$type</c> alias for it (<c>number</c> for every numeric type).</summary>
    public static string Name(this TypeBracket bracket) => bracket switch
    {
        TypeBracket.MinKey => "minKey",
        TypeBracket.Undefined => "undefined",
        TypeBracket.Null => "null",
        TypeBracket.Number => "number",
        TypeBracket.String => "string",
        TypeBracket.Object => "object",
        TypeBracket.Array => "array",
        TypeBracket.Binary => "binData",
        TypeBracket.ObjectId => "objectId",
        TypeBracket.Boolean => "bool",
        TypeBracket.Date => "date",
        TypeBracket.Timestamp => "timestamp",
        TypeBracket.Regex => "regex",
        TypeBracket.DbPointer => "dbPointer",
        TypeBracket.JavaScript => "javascript",
        TypeBracket.JavaScriptWithScope => "javascriptWithScope",
        TypeBracket.MaxKey => "maxKey",
        _ => throw new ArgumentOutOfRangeException(nameof(bracket), bracket, null),
    };

    /// <summary>The <c>$type</c> aliases that together match exactly the brackets given (strings include symbols).</summary>
    public static BsonArray TypeAliases(IEnumerable<TypeBracket> brackets)
    {
        ArgumentNullException.ThrowIfNull(brackets);
        var aliases = new BsonArray();
        foreach (var bracket in brackets)
        {
            aliases.Add(bracket.Name());
            if (bracket == TypeBracket.String)
            {
                aliases.Add("symbol");
            }
        }

        return aliases;
    }

    /// <summary>Brackets after <paramref name="bracket"/> in sort order.</summary>
    public static IEnumerable<TypeBracket> After(TypeBracket bracket) => InOrder.Where(b => b > bracket);
}
