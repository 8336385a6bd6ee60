using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Bson;

/// <summary>
/// MongoDB's comparison order across BSON types: MinKey, null, numbers (int, long, double and
/// decimal compared by value), strings, documents, arrays, binary, ObjectId, booleans, dates,
/// timestamps, regular expressions, MaxKey.
/// </summary>
internal sealed class BsonOrder : IComparer<BsonValue>
{
    public static readonly BsonOrder Instance = new();

    public static int Rank(BsonType type) => type switch
    {
        BsonType.MinKey => 1,
        BsonType.Undefined or BsonType.Null => 2,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 3,
        BsonType.Symbol or BsonType.String => 4,
        BsonType.Document => 5,
        BsonType.Array => 6,
        BsonType.Binary => 7,
        BsonType.ObjectId => 8,
        BsonType.Boolean => 9,
        BsonType.DateTime => 10,
        BsonType.Timestamp => 11,
        BsonType.RegularExpression => 12,
        BsonType.JavaScript => 13,
        BsonType.JavaScriptWithScope => 14,
        BsonType.MaxKey => 100,
        _ => 50,
    };

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
            case 3: return CompareNumbers(a, b);
            case 4: return string.CompareOrdinal(StringOf(a), StringOf(b));
            case 5: return CompareDocuments(a.AsBsonDocument, b.AsBsonDocument);
            case 6: return CompareArrays(a.AsBsonArray, b.AsBsonArray);
            case 7: return CompareBinary(a.AsBsonBinaryData, b.AsBsonBinaryData);
            case 8: return a.AsObjectId.CompareTo(b.AsObjectId);
            case 9: return a.AsBoolean.CompareTo(b.AsBoolean);
            case 10: return a.AsBsonDateTime.MillisecondsSinceEpoch.CompareTo(b.AsBsonDateTime.MillisecondsSinceEpoch);
            case 11: return ((ulong)a.AsBsonTimestamp.Value).CompareTo((ulong)b.AsBsonTimestamp.Value);
            case 12:
                {
                    var c = string.CompareOrdinal(a.AsBsonRegularExpression.Pattern, b.AsBsonRegularExpression.Pattern);
                    return c != 0 ? c : string.CompareOrdinal(a.AsBsonRegularExpression.Options, b.AsBsonRegularExpression.Options);
                }
            case 13: return string.CompareOrdinal(a.AsBsonJavaScript.Code, b.AsBsonJavaScript.Code);
            default: return 0;
        }
    }

    private static string StringOf(BsonValue v) => v is BsonSymbol s ? s.Name : v.AsString;

    private static int CompareNumbers(BsonValue a, BsonValue b)
    {
        var integralA = a.BsonType is BsonType.Int32 or BsonType.Int64;
        var integralB = b.BsonType is BsonType.Int32 or BsonType.Int64;
        if (integralA && integralB)
        {
            return a.ToInt64().CompareTo(b.ToInt64());
        }
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            if (TryDecimal(a, out var da) && TryDecimal(b, out var db))
            {
                return da.CompareTo(db);
            }
        }
        return a.ToDouble().CompareTo(b.ToDouble());
    }

    private static bool TryDecimal(BsonValue v, out decimal result)
    {
        try
        {
            switch (v.BsonType)
            {
                case BsonType.Int32: result = v.AsInt32; return true;
                case BsonType.Int64: result = v.AsInt64; return true;
                case BsonType.Double:
                    var d = v.AsDouble;
                    if (double.IsFinite(d) && Math.Abs(d) < 7.9e27)
                    {
                        result = (decimal)d;
                        return true;
                    }
                    break;
                case BsonType.Decimal128:
                    var m = v.AsDecimal128;
                    if (!Decimal128.IsNaN(m) && !Decimal128.IsInfinity(m))
                    {
                        result = Decimal128.ToDecimal(m);
                        return true;
                    }
                    break;
            }
        }
        catch (OverflowException)
        {
        }
        result = 0;
        return false;
    }

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
                c = string.CompareOrdinal(ea.Name, eb.Name);
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
