using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Bson;

/// <summary>
/// MongoDB's comparison order across BSON types: MinKey, undefined, null, numbers (int, long, double
/// and decimal compared by exact value), strings (by UTF-8 bytes), documents, arrays, binary,
/// ObjectId, booleans, dates, timestamps, regular expressions, DBPointer, JavaScript, MaxKey.
/// </summary>
internal sealed class BsonOrder : IComparer<BsonValue>
{
    public static readonly BsonOrder Instance = new();

    /// <summary>mongod's canonical type order (<c>canonicalizeBSONType</c>); a missing field ranks as undefined.</summary>
    public static int Rank(BsonType type) => type switch
    {
        BsonType.MinKey => -1,
        BsonType.Undefined => 0,
        BsonType.Null => 5,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 10,
        BsonType.Symbol or BsonType.String => 15,
        BsonType.Document => 20,
        BsonType.Array => 25,
        BsonType.Binary => 30,
        BsonType.ObjectId => 35,
        BsonType.Boolean => 40,
        BsonType.DateTime => 45,
        BsonType.Timestamp => 47,
        BsonType.RegularExpression => 50,
        BsonType.JavaScript => 60,
        BsonType.JavaScriptWithScope => 65,
        BsonType.MaxKey => 127,
        _ => 55,
    };

    public const int NullRank = 5;

    public const int UndefinedRank = 0;

    /// <summary>
    /// Orders strings by their UTF-8 bytes (code points), as mongod does. UTF-16 code units differ from
    /// that only where a surrogate (a code point above U+FFFF) meets a code unit U+E000–U+FFFF.
    /// </summary>
    public static int CompareStrings(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x != y)
            {
                var (surrogateX, surrogateY) = (char.IsSurrogate(x), char.IsSurrogate(y));
                return surrogateX == surrogateY ? x.CompareTo(y) : surrogateX ? 1 : -1;
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    public int Compare(BsonValue? x, BsonValue? y) => CompareValues(x ?? BsonNull.Value, y ?? BsonNull.Value);

    public static bool AreEqual(BsonValue a, BsonValue b) =>
        Rank(a.BsonType) == Rank(b.BsonType) && CompareValues(a, b) == 0;

    public static int CompareValues(BsonValue a, BsonValue b)
    {
        var rankA = Rank(a.BsonType);
        var rankB = Rank(b.BsonType);
        if (rankA != rankB)
        {
            return rankA.CompareTo(rankB);
        }
        switch (rankA)
        {
            case 10: return NumberOrder.Compare(a, b);
            case 15: return CompareStrings(StringOf(a), StringOf(b));
            case 20: return CompareDocuments(a.AsBsonDocument, b.AsBsonDocument);
            case 25: return CompareArrays(a.AsBsonArray, b.AsBsonArray);
            case 30: return CompareBinary(a.AsBsonBinaryData, b.AsBsonBinaryData);
            case 35: return a.AsObjectId.CompareTo(b.AsObjectId);
            case 40: return a.AsBoolean.CompareTo(b.AsBoolean);
            case 45: return a.AsBsonDateTime.MillisecondsSinceEpoch.CompareTo(b.AsBsonDateTime.MillisecondsSinceEpoch);
            case 47: return ((ulong)a.AsBsonTimestamp.Value).CompareTo((ulong)b.AsBsonTimestamp.Value);
            case 50:
                {
                    var c = CompareStrings(a.AsBsonRegularExpression.Pattern, b.AsBsonRegularExpression.Pattern);
                    return c != 0 ? c : CompareStrings(a.AsBsonRegularExpression.Options, b.AsBsonRegularExpression.Options);
                }
            case 60: return CompareStrings(a.AsBsonJavaScript.Code, b.AsBsonJavaScript.Code);
            case 65:
                {
                    var c = CompareStrings(a.AsBsonJavaScriptWithScope.Code, b.AsBsonJavaScriptWithScope.Code);
                    return c != 0 ? c : CompareDocuments(a.AsBsonJavaScriptWithScope.Scope, b.AsBsonJavaScriptWithScope.Scope);
                }
            default: return 0;
        }
    }

    private static string StringOf(BsonValue v) => v is BsonSymbol s ? s.Name : v.AsString;

    private static int CompareDocuments(BsonDocument a, BsonDocument b)
    {
        var n = Math.Min(a.ElementCount, b.ElementCount);
        for (var i = 0; i < n; i++)
        {
            var ea = a.GetElement(i);
            var eb = b.GetElement(i);
            var c = Rank(ea.Value.BsonType).CompareTo(Rank(eb.Value.BsonType));
            if (c == 0)
            {
                c = CompareStrings(ea.Name, eb.Name);
            }
            if (c == 0)
            {
                c = CompareValues(ea.Value, eb.Value);
            }
            if (c != 0)
            {
                return c;
            }
        }
        return a.ElementCount.CompareTo(b.ElementCount);
    }

    private static int CompareArrays(BsonArray a, BsonArray b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = CompareValues(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    private static int CompareBinary(BsonBinaryData a, BsonBinaryData b)
    {
        var c = a.Bytes.Length.CompareTo(b.Bytes.Length);
        if (c == 0)
        {
            c = ((int)a.SubType).CompareTo((int)b.SubType);
        }
        return c != 0 ? c : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes);
    }
}
