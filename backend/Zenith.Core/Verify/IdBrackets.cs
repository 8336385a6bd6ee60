// CA1720: these members are named after the BSON type brackets they stand for, on purpose.
#pragma warning disable CA1720
using MongoDB.Bson;
using Zenith.Core.Bson;

namespace Zenith.Core.Verify;

/// <summary>
/// The BSON type bracket of an <c>_id</c> (MongoDB sorts by bracket, then by value within one): its value as mongod's
/// <c>canonicalizeBSONType</c> (the order of brackets, also the values of the <c>_zenith_id_type</c> column issue 11 adds), its
/// name (the <c>$type</c> alias), the filter on <c>_id</c> that selects it as one range of the <c>_id</c> index, and whether MongoDB's order inside it is the byte order of the text ClickHouse's <c>_id</c> holds.
/// </summary>
public readonly record struct IdBracket(sbyte Value, string Name, Func<BsonDocument> Selector)
{
    /// <summary>The identity column issue 11 adds to new tables (Enum8 of the bracket names, valued as <see cref="Value"/>).</summary>
    public const string TagColumn = "_zenith_id_type";

    // Each bracket is selected by a range from its smallest value: comparisons never cross a bracket in MongoDB, so
    // { $gte: "" } is every string (and symbol), and the _id index gives the bounds, on MongoDB as on the test server.
    public static readonly IdBracket MinKey = new(-1, "minKey", () => Is(BsonMinKey.Value));
    public static readonly IdBracket Null = new(5, "null", () => Is(BsonNull.Value));
    public static readonly IdBracket Number = new(10, "number", () => new BsonDocument("$or", new BsonArray { Is(double.NaN), From(double.NegativeInfinity) }));
    public static readonly IdBracket String = new(15, "string", () => From(""));
    public static readonly IdBracket Object = new(20, "object", () => From(new BsonDocument()));
    public static readonly IdBracket Binary = new(30, "binData", () => From(new BsonBinaryData([], BsonBinarySubType.Binary)));
    public static readonly IdBracket ObjectId = new(35, "objectId", () => From(MongoDB.Bson.ObjectId.Empty));
    public static readonly IdBracket Boolean = new(40, "bool", () => From(false));
    public static readonly IdBracket Date = new(45, "date", () => From(new BsonDateTime(long.MinValue)));
    public static readonly IdBracket Timestamp = new(47, "timestamp", () => From(new BsonTimestamp(0)));
    public static readonly IdBracket JavaScript = new(60, "javascript", () => From(new BsonJavaScript("")));
    public static readonly IdBracket JavaScriptWithScope = new(65, "javascriptWithScope", () => From(new BsonJavaScriptWithScope("", [])));
    public static readonly IdBracket MaxKey = new(127, "maxKey", () => Is(BsonMaxKey.Value));

    /// <summary>
    /// Every bracket an <c>_id</c> may be of (not arrays, regular expressions or undefined), in MongoDB's order; but the deprecated
    /// DBPointer, which drivers cannot write and no range selects (docs/verify.md).
    /// </summary>
    public static IReadOnlyList<IdBracket> All { get; } =
        [MinKey, Null, Number, String, Object, Binary, ObjectId, Boolean, Date, Timestamp, JavaScript, JavaScriptWithScope, MaxKey];

    /// <summary>
    /// Strings compare by their UTF-8 bytes (MongoDB's simple collation, as ClickHouse compares String) and an ObjectId's
    /// lower-case hex sorts as its bytes; numbers (10 before 9 as text), dates and the rest do not, so their ids are sorted
    /// by text before they are compared.
    /// </summary>
    public bool OrderedAsText => Value == String.Value || Value == ObjectId.Value;

    /// <summary>The MongoDB filter on <c>_id</c> that selects this bracket.</summary>
    public BsonDocument Filter() => Selector();

    private static BsonDocument Is(BsonValue value) => new("_id", value);

    private static BsonDocument From(BsonValue smallest) => new("_id", new BsonDocument("$gte", smallest));

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
        BsonTypeCode.JavaScript => JavaScript,
        BsonTypeCode.JavaScriptWithScope => JavaScriptWithScope,
        BsonTypeCode.MaxKey => MaxKey,
        _ => throw new FormatException($"an _id cannot be of BSON type 0x{typeCode:X2}"),
    };

    public static IdBracket? ByValue(sbyte value) => All.FirstOrDefault(b => b.Value == value) is { Name: not null } b ? b : null;
}
