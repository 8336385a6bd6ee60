// CA1720: these members are named after the BSON type brackets they stand for, on purpose.
#pragma warning disable CA1720
using MongoDB.Bson;
using Zenith.Core.Bson;

namespace Zenith.Core.Verify;

/// <summary>
/// The BSON type bracket of an <c>_id</c> (MongoDB sorts by bracket, then by value within one): its value as mongod's
/// <c>canonicalizeBSONType</c> (the order of brackets, also the values of the <c>_zenith_id_type</c> column issue 11 adds), its
/// name (the <c>$type</c> alias), and whether MongoDB's order inside it is the byte order of the text ClickHouse's <c>_id</c> holds.
/// </summary>
public readonly record struct IdBracket(sbyte Value, string Name, string[] TypeAliases)
{
    /// <summary>The identity column issue 11 adds to new tables (Enum8 of the bracket names, valued as <see cref="Value"/>).</summary>
    public const string TagColumn = "_zenith_id_type";

    public static readonly IdBracket MinKey = new(-1, "minKey", ["minKey"]);
    public static readonly IdBracket Null = new(5, "null", ["null"]);
    public static readonly IdBracket Number = new(10, "number", ["double", "int", "long", "decimal"]);
    public static readonly IdBracket String = new(15, "string", ["string", "symbol"]);
    public static readonly IdBracket Object = new(20, "object", ["object"]);
    public static readonly IdBracket Binary = new(30, "binData", ["binData"]);
    public static readonly IdBracket ObjectId = new(35, "objectId", ["objectId"]);
    public static readonly IdBracket Boolean = new(40, "bool", ["bool"]);
    public static readonly IdBracket Date = new(45, "date", ["date"]);
    public static readonly IdBracket Timestamp = new(47, "timestamp", ["timestamp"]);
    public static readonly IdBracket DbPointer = new(55, "dbPointer", ["dbPointer"]);
    public static readonly IdBracket JavaScript = new(60, "javascript", ["javascript"]);
    public static readonly IdBracket JavaScriptWithScope = new(65, "javascriptWithScope", ["javascriptWithScope"]);
    public static readonly IdBracket MaxKey = new(127, "maxKey", ["maxKey"]);

    /// <summary>Every bracket an <c>_id</c> may be of (not arrays, regular expressions or undefined), in MongoDB's order.</summary>
    public static IReadOnlyList<IdBracket> All { get; } =
        [MinKey, Null, Number, String, Object, Binary, ObjectId, Boolean, Date, Timestamp, DbPointer, JavaScript, JavaScriptWithScope, MaxKey];

    /// <summary>
    /// Strings compare by their UTF-8 bytes (MongoDB's simple collation, as ClickHouse compares String) and an ObjectId's
    /// lower-case hex sorts as its bytes; numbers (10 before 9 as text), dates and the rest do not, so their ids are sorted
    /// by text before they are compared.
    /// </summary>
    public bool OrderedAsText => Value == String.Value || Value == ObjectId.Value;

    /// <summary>The MongoDB filter on <c>_id</c> that selects this bracket.</summary>
    public BsonDocument Filter() => new("_id", new BsonDocument("$type", new BsonArray(TypeAliases)));

    public static IdBracket Of(byte typeCode) => typeCode switch
    {
        BsonTypeCode.MinKey => MinKey,
        BsonTypeCode.Null => Null,
        BsonTypeCode.Double or BsonTypeCode.Int32 or BsonTypeCode.Int64 or BsonTypeCode.Decimal128 => Number,
        BsonTypeCode.String or BsonTypeCode.Symbol => String,
        BsonTypeCode.Document => Object,
        BsonTypeCode.Binary => Binary,
        BsonTypeCode.ObjectId => ObjectId,
        BsonTypeCode.Boolean => Boolean,
        BsonTypeCode.DateTime => Date,
        BsonTypeCode.Timestamp => Timestamp,
        BsonTypeCode.DbPointer => DbPointer,
        BsonTypeCode.JavaScript => JavaScript,
        BsonTypeCode.JavaScriptWithScope => JavaScriptWithScope,
        BsonTypeCode.MaxKey => MaxKey,
        _ => throw new FormatException($"an _id cannot be of BSON type 0x{typeCode:X2}"),
    };

    public static IdBracket? ByValue(sbyte value) => All.FirstOrDefault(b => b.Value == value) is { Name: not null } b ? b : null;
}
