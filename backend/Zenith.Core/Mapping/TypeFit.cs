using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>What to do with a value that meets a column.</summary>
public enum Fit
{
    /// <summary>Written into the column exactly.</summary>
    Fits,

    /// <summary>The column can be widened so it holds the value and every row it has exactly: ask for a schema change.</summary>
    Widen,

    /// <summary>No exact widening (or the column is a key column): the value goes to <c>_zenith_extra</c> under its path.</summary>
    Spill,
}

/// <summary>
/// The lossless rules: whether a value fits a column exactly, and which widenings keep every row already written exact
/// (Int32 → Int64, Int32 → Float64, a scalar → String; element-wise for arrays, map values and Nested members). An Int64 never
/// becomes Float64 (integers above 2^53 would round), an array never becomes String (its rows would change text), a key column
/// never changes. Shared by the encoder (per value) and the schema builder (per column), so both decide alike.
/// </summary>
public static class TypeFit
{
    /// <summary>A value of a Field column (a scalar or array at its path; documents only where the depth limit keeps them whole).</summary>
    public static Fit Field(ColumnType column, in RawElement value, bool pinned, LegacyUuid uuid)
    {
        if (column.Shape == ColumnShape.Scalar && column.Kind == ColumnKind.String)
        {
            return Fit.Fits;
        }

        if (value.Type == BsonTypeCode.Document)
        {
            return Widened(column.Shape == ColumnShape.Scalar, pinned);
        }

        if (column.Shape == ColumnShape.Array)
        {
            return value.Type == BsonTypeCode.Array ? Elements(column.Kind, value.Value, pinned, uuid) : Fit.Spill;
        }

        if (value.Type == BsonTypeCode.Array)
        {
            return Widened(toString: true, pinned);
        }

        var fit = Scalar(column.Kind, value, uuid, out var widened);
        return fit == Fit.Widen && (pinned || widened == ColumnKind.Unknown) ? Fit.Spill : fit;
    }

    /// <summary>Every element of an array for an <c>Array(kind)</c> column; an element that fits no wider kind spills the array.</summary>
    public static Fit Elements(ColumnKind column, ReadOnlySpan<byte> array, bool pinned, LegacyUuid uuid)
    {
        var result = Fit.Fits;
        var reader = new BsonElementReader(array);
        while (reader.MoveNext())
        {
            var element = reader.Current;
            if (element.Type is BsonTypeCode.Document or BsonTypeCode.Array || ValueClassifier.IsNull(element.Type))
            {
                return Fit.Spill;
            }

            var widened = ColumnKind.Unknown;
            var fit = column == ColumnKind.String ? Fit.Fits : Scalar(column, element, uuid, out widened);
            if (fit == Fit.Widen && !NumericWidening(column, widened))
            {
                return Fit.Spill;
            }

            if (fit == Fit.Spill || (fit == Fit.Widen && pinned))
            {
                return Fit.Spill;
            }

            if (fit == Fit.Widen)
            {
                result = Fit.Widen;
            }
        }

        return result;
    }

    /// <summary>
    /// A scalar value (not a document, not an array, not null) for a column of <paramref name="column"/>: fits, or the kind to widen
    /// to (<paramref name="widened"/>; <see cref="ColumnKind.Unknown"/> when none is exact), or spill.
    /// </summary>
    public static Fit Scalar(ColumnKind column, in RawElement value, LegacyUuid uuid, out ColumnKind widened)
    {
        widened = ColumnKind.Unknown;
        if (column == ColumnKind.String)
        {
            return Fit.Fits;
        }

        var kind = ValueClassifier.ScalarKind(value, uuid);
        if (kind == ColumnKind.DateTime64 && !ValueClassifier.DateInRange(value.Int64Value))
        {
            return Fit.Spill;
        }

        if (column == ColumnKind.Unknown)
        {
            widened = kind ?? ColumnKind.String;
            return Fit.Widen;
        }

        switch (column, kind)
        {
            case var (c, k) when c == k:
            case (ColumnKind.Int64, ColumnKind.Int32):
            case (ColumnKind.Float64, ColumnKind.Int32):
                return Fit.Fits;
            case (ColumnKind.Float64, ColumnKind.Int64):
                return ExactDouble(value.Int64Value) ? Fit.Fits : Fit.Spill;
            case (ColumnKind.Int64, ColumnKind.Float64):
                return ExactLong(value.DoubleValue) ? Fit.Fits : Fit.Spill;
            case (ColumnKind.Int32, ColumnKind.Int64):
                widened = ColumnKind.Int64;
                return Fit.Widen;
            case (ColumnKind.Int32, ColumnKind.Float64):
                widened = ColumnKind.Float64;
                return Fit.Widen;
            default:
                // Different kinds: the text holds both, but only a scalar column may become String (checked by the caller).
                widened = ColumnKind.String;
                return Fit.Widen;
        }
    }

    /// <summary>
    /// The type an existing column becomes so the kinds seen fit it (the same type when none needs it): every case where
    /// <see cref="Field"/> or an element check answers <see cref="Fit.Widen"/> for one of these kinds is covered, so a batch
    /// encoded again after the change never asks twice.
    /// </summary>
    /// <param name="scalarKinds">Bits of the scalar kinds seen (for arrays, maps and Nested members: of their elements).</param>
    /// <param name="wholeValues">A document or an array reached a scalar column (scalars only: they make it String).</param>
    public static ColumnType WidenExisting(ColumnType column, int scalarKinds, bool wholeValues, bool pinned)
    {
        if (pinned || column.Kind is ColumnKind.String or ColumnKind.Json)
        {
            return column;
        }

        var scalar = column.Shape == ColumnShape.Scalar;
        if (scalar && wholeValues)
        {
            return ColumnType.String;
        }

        var target = column.Kind;
        for (var kind = ColumnKind.Unknown; kind <= ColumnKind.Json; kind++)
        {
            if ((scalarKinds & (1 << (int)kind)) == 0 || kind == column.Kind || kind == ColumnKind.Unknown)
            {
                continue;
            }

            var fits = (column.Kind, kind) is (ColumnKind.Int64, ColumnKind.Int32) or (ColumnKind.Float64, ColumnKind.Int32)
                or (ColumnKind.Float64, ColumnKind.Int64) or (ColumnKind.Int64, ColumnKind.Float64);
            if (fits)
            {
                continue;
            }

            if (NumericWidening(column.Kind, kind))
            {
                target = ColumnType.WidenKind(target, kind);
            }
            else if (scalar)
            {
                return ColumnType.String;
            }
        }

        return column with { Kind = target };
    }

    /// <summary>True when the long converts to a double and back unchanged.</summary>
    public static bool ExactDouble(long value)
    {
        double d = value;
        return d < 9_223_372_036_854_775_808.0 && (long)d == value;
    }

    /// <summary>True when the double is an integer an Int64 holds (not -0, which would lose its sign).</summary>
    public static bool ExactLong(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && value is >= -9_223_372_036_854_775_808.0 and < 9_223_372_036_854_775_808.0
        && !(value == 0 && double.IsNegative(value));

    /// <summary>Whether a column of <paramref name="from"/> may become <paramref name="to"/> with every row it holds unchanged.</summary>
    public static bool NumericWidening(ColumnKind from, ColumnKind to) =>
        (from, to) is (ColumnKind.Int32, ColumnKind.Int64) or (ColumnKind.Int32, ColumnKind.Float64) || from == ColumnKind.Unknown;

    private static Fit Widened(bool toString, bool pinned) => toString && !pinned ? Fit.Widen : Fit.Spill;
}
