using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Bson;

namespace Zenith.Core.Cursors;

/// <summary>A cursor's position as people read it in the API and the dashboard (never parsed back).</summary>
internal static class CursorDisplay
{
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    /// <param name="field">The cursor field of incremental_timestamp; null for incremental_id.</param>
    public static string Describe(string? field, CursorState state)
    {
        var positioned = state.Parts.Where(s => s.HasPosition).ToList();
        if (positioned.Count == 0)
        {
            return "nothing settled yet: the next run reads everything again";
        }

        // Values before the documents without one, as the earlier "field ≥ v, _id > x; without field: _id > y" read.
        var parts = positioned
            .OrderBy(s => s.Key.ById && s.Key.Field is not null)
            .Select(s => s.Key switch
            {
                { Field: null } => $"_id > {Json(s.Id!)}",
                { Field: TypeBracket.Null } => $"without {field}: _id > {Json(s.Id!)}",
                { ById: true } => $"{field} is {s.Key.Field!.Value.Name()}: _id > {Json(s.Id!)}",
                _ => $"{field} ≥ {Value(s.Value!)}, _id > {Json(s.Id!)}",
            });
        return string.Join("; ", parts);
    }

    private static string Json(BsonValue value) => value.ToJson(Relaxed);

    private static string Value(BsonValue value) =>
        value.IsValidDateTime ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : Json(value);
}
