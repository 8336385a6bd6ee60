using System.Globalization;

namespace Zenith.Core.Mapping;

/// <summary>The per-path decisions the schema builder takes from what a sample showed: a field's type, map or not, Nested or not.</summary>
internal static class SchemaDecisions
{
    /// <summary>Element fields beyond this make an array of documents JSON rather than a Nested group.</summary>
    public const int MaxNestedMembers = 64;

    /// <summary>Why a sub-document is a map (its keys are data, not field names), or null when its keys are field names.</summary>
    public static string? MapReason(PathStats stats)
    {
        if (stats.ChildrenCapped)
        {
            return $"more than {PathStats.MaxChildren} distinct keys";
        }

        var keys = stats.Children.Keys.ToList();
        if (KeysAreData(keys) is { } data)
        {
            return data;
        }

        var distinct = keys.Count;
        var perDocument = stats.Documents == 0 ? 0 : (double)stats.KeyTotal / stats.Documents;
        var growing = stats.LateKeys() >= distinct / 4.0;
        if ((distinct >= 16 && distinct >= 4 * perDocument && growing) || (distinct > 256 && distinct >= 2 * perDocument))
        {
            return string.Create(CultureInfo.InvariantCulture, $"the key set keeps growing: {distinct} distinct keys over {stats.Documents} documents, about {perDocument:0.#} per document");
        }

        return null;
    }

    /// <summary>Why these keys are data (ids, numbers, dates, codes), or null when they read as field names.</summary>
    public static string? KeysAreData(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return null;
        }

        var shapes = keys.Select(KeyShapes.Of).ToList();
        var example = Trim(keys[0]);
        if (shapes.All(s => s is KeyShape.Id or KeyShape.Number or KeyShape.Date))
        {
            var names = shapes.Distinct().Order().Select(s => s switch { KeyShape.Id => "ids", KeyShape.Number => "numbers", _ => "dates" });
            return $"keys are {string.Join(" and ", names)} (e.g. \"{example}\")";
        }

        if (keys.Count >= 3 && keys.All(KeyShapes.LooksLikeCode) && shapes.Count(s => s == KeyShape.Code) >= 0.8 * keys.Count)
        {
            return $"keys are language, country or currency codes (e.g. \"{example}\")";
        }

        return null;
    }

    /// <summary>
    /// A field's type from its values, and why when the choice is worth telling: integers with doubles stay exact (Float64 when
    /// every integer fits a double, else Int64 with the fractions in <c>_zenith_extra</c>), mixed kinds become text.
    /// </summary>
    public static (ColumnType Type, string? Reason) FieldType(PathStats stats)
    {
        var type = stats.DocumentArrays > 0 || stats.Values is null ? ColumnType.String : stats.Values.Value;
        if (type.Kind == ColumnKind.Unknown)
        {
            type = type with { Kind = ColumnKind.String };
        }

        string? reason = null;
        if (type.Kind == ColumnKind.Float64 && stats.BigInt)
        {
            type = type with { Kind = ColumnKind.Int64 };
            reason = "integers beyond 2^53 and doubles: Int64 keeps the integers exact, fractional values go to _zenith_extra";
        }
        else if (type.Kind == ColumnKind.String && stats.Values is { Kind: not ColumnKind.String } or { Shape: ColumnShape.Array } && stats.Scalars > 0 && stats.OtherArrays > 0)
        {
            reason = "scalars and arrays: String holds the text of each (arrays as JSON)";
        }

        if (stats.OutOfRangeDates > 0 && type.Kind == ColumnKind.DateTime64)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"dates outside DateTime64's 1900-2299 go to _zenith_extra ({stats.OutOfRangeDates} in the sample)");
        }

        return (type, reason);
    }

    /// <summary>The value type of a map, or JSON when its values are documents, arrays or of kinds no one type holds exactly.</summary>
    public static ColumnKind? MapValueKind(PathStats stats)
    {
        var entries = stats.Entries;
        if (entries is null || entries.Documents > 0 || entries.DocumentArrays > 0 || entries.OtherArrays > 0 || entries.Values is not { Shape: ColumnShape.Scalar } values)
        {
            return null;
        }

        return values.Kind switch
        {
            ColumnKind.Float64 when entries.BigInt => ColumnKind.Int64,
            ColumnKind.Unknown => ColumnKind.String,
            var kind => kind,
        };
    }

    /// <summary>Whether an array path becomes a Nested group: only arrays of documents whose fields read as field names.</summary>
    public static bool IsNested(PathStats stats) =>
        stats is { DocumentArrays: > 0, OtherArrays: 0, Scalars: 0, Documents: 0, Elements: { } elements }
        && elements.Children.Count is > 0 and <= MaxNestedMembers && !elements.ChildrenCapped && MapReason(elements) is null;

    /// <summary>A Nested member's element type: documents and arrays inside elements are their JSON text.</summary>
    public static ColumnKind MemberKind(PathStats member)
    {
        if (member.Documents > 0 || member.DocumentArrays > 0 || member.OtherArrays > 0 || member.Values is not { } values)
        {
            return ColumnKind.String;
        }

        return values.Kind switch
        {
            ColumnKind.Float64 when member.BigInt => ColumnKind.Int64,
            ColumnKind.Unknown => ColumnKind.String,
            var kind => kind,
        };
    }

    private static string Trim(string key) => key.Length > 40 ? key[..40] + "…" : key;
}
