using System.Numerics;
using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Bson;

/// <summary>
/// Compares BSON numbers by their exact values, as mongod does: an int64 above 2^53 is not equal to
/// the double nearest it, and a Decimal128 0.1 is not equal to the double 0.1. NaN equals NaN and
/// sorts below every other number; -0 equals 0.
/// </summary>
internal static class NumberOrder
{
    private static readonly BigInteger MaxCoefficient = BigInteger.Pow(10, 34) - 1;

    public static int Compare(BsonValue a, BsonValue b)
    {
        switch (a.BsonType, b.BsonType)
        {
            case (BsonType.Int32 or BsonType.Int64, BsonType.Int32 or BsonType.Int64):
                return a.ToInt64().CompareTo(b.ToInt64());
            case (BsonType.Double, BsonType.Double):
                return a.AsDouble.CompareTo(b.AsDouble);
            case (BsonType.Int32 or BsonType.Int64, BsonType.Double):
                return CompareLongToDouble(a.ToInt64(), b.AsDouble);
            case (BsonType.Double, BsonType.Int32 or BsonType.Int64):
                return -CompareLongToDouble(b.ToInt64(), a.AsDouble);
            default:
                return CompareExact(Exact.Of(a), Exact.Of(b));
        }
    }

    private static int CompareLongToDouble(long l, double d)
    {
        if (double.IsNaN(d))
        {
            return 1;
        }
        // 2^63 is exactly representable; every long is below it and at or above -2^63.
        if (d >= 9223372036854775808.0)
        {
            return -1;
        }
        if (d < -9223372036854775808.0)
        {
            return 1;
        }
        var truncated = (long)d;
        if (l != truncated)
        {
            return l.CompareTo(truncated);
        }
        var fraction = d - truncated;
        return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
    }

    private static int CompareExact(Exact a, Exact b)
    {
        var (rankA, rankB) = (RankOf(a), RankOf(b));
        if (rankA != rankB)
        {
            return rankA.CompareTo(rankB);
        }
        return rankA == 2 ? CompareFinite(a, b) : 0;
    }

    // NaN < -inf < finite < +inf.
    private static int RankOf(Exact e) => e.Kind switch
    {
        Kind.NaN => 0,
        Kind.Infinity => e.Negative ? 1 : 3,
        _ => 2,
    };

    private static int CompareFinite(Exact a, Exact b)
    {
        var signA = a.Coefficient.IsZero ? 0 : a.Negative ? -1 : 1;
        var signB = b.Coefficient.IsZero ? 0 : b.Negative ? -1 : 1;
        if (signA != signB || signA == 0)
        {
            return signA.CompareTo(signB);
        }
        var magnitude = CompareMagnitudes(a, b);
        return signA > 0 ? magnitude : -magnitude;
    }

    // |a| vs |b| where each is coefficient × 10^pow10 × 2^pow2.
    private static int CompareMagnitudes(Exact a, Exact b)
    {
        var logA = BigInteger.Log10(a.Coefficient) + a.Pow10 + (a.Pow2 * Math.Log10(2));
        var logB = BigInteger.Log10(b.Coefficient) + b.Pow10 + (b.Pow2 * Math.Log10(2));
        if (Math.Abs(logA - logB) > 1)
        {
            // Far apart: no need to build the exact (possibly huge) integers.
            return logA.CompareTo(logB);
        }
        var pow10 = Math.Min(a.Pow10, b.Pow10);
        var pow2 = Math.Min(a.Pow2, b.Pow2);
        var left = a.Coefficient * BigInteger.Pow(10, a.Pow10 - pow10) * BigInteger.Pow(2, a.Pow2 - pow2);
        var right = b.Coefficient * BigInteger.Pow(10, b.Pow10 - pow10) * BigInteger.Pow(2, b.Pow2 - pow2);
        return left.CompareTo(right);
    }

    private enum Kind
    {
        Finite,
        NaN,
        Infinity,
    }

    private readonly record struct Exact(Kind Kind, bool Negative, BigInteger Coefficient, int Pow10, int Pow2)
    {
        public static Exact Of(BsonValue v)
        {
            switch (v.BsonType)
            {
                case BsonType.Int32:
                case BsonType.Int64:
                    {
                        var l = v.ToInt64();
                        return new(Kind.Finite, l < 0, BigInteger.Abs(l), 0, 0);
                    }
                case BsonType.Double:
                    return OfDouble(v.AsDouble);
                default:
                    return OfDecimal(v.AsDecimal128);
            }
        }

        private static Exact OfDouble(double d)
        {
            if (double.IsNaN(d))
            {
                return new(Kind.NaN, false, 0, 0, 0);
            }
            if (double.IsInfinity(d))
            {
                return new(Kind.Infinity, d < 0, 0, 0, 0);
            }
            var bits = BitConverter.DoubleToInt64Bits(d);
            var negative = bits < 0;
            var exponent = (int)((bits >> 52) & 0x7FF);
            var mantissa = bits & 0xFFFFFFFFFFFFFL;
            if (exponent == 0)
            {
                exponent = 1; // subnormal
            }
            else
            {
                mantissa |= 1L << 52;
            }
            return new(Kind.Finite, negative, mantissa, 0, exponent - 1075);
        }

        private static Exact OfDecimal(Decimal128 m)
        {
            if (Decimal128.IsNaN(m))
            {
                return new(Kind.NaN, false, 0, 0, 0);
            }
            if (Decimal128.IsInfinity(m))
            {
                return new(Kind.Infinity, Decimal128.IsNegative(m), 0, 0, 0);
            }
            var coefficient = (new BigInteger(Decimal128.GetSignificandHighBits(m)) << 64) | Decimal128.GetSignificandLowBits(m);
            if (coefficient > MaxCoefficient)
            {
                coefficient = 0; // a non-canonical coefficient means zero (IEEE 754-2008)
            }
            return new(Kind.Finite, Decimal128.IsNegative(m), coefficient, Decimal128.GetExponent(m), 0);
        }
    }
}
