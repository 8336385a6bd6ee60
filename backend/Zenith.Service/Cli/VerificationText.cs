using System.Globalization;
using Zenith.Service.Api;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>A finished verification as <c>zenith verify</c> prints it: one summary line, then each kind of difference with its first ids.</summary>
public static class VerificationText
{
    public static IEnumerable<string> Lines(VerificationResponse v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var status = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.Status.ToString());
        if (v.Status != VerificationStatus.Succeeded || v.Report is not { } r)
        {
            yield return $"Verification {v.Id} {status}{(v.Error is null ? "" : ": " + v.Error)}";
            yield break;
        }

        var verdict = r.Clean ? "clean: the table equals the collection" : "found differences";
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Verification {v.Id} {verdict}: {r.SourceCount} documents, {r.DestinationCount} rows; {r.Missing} missing, {r.Extra} extra, {r.Stale} stale; {r.ValueMismatches} of {r.Sampled} sampled with other values; {r.Pending} pending in {v.DurationMs ?? 0} ms");
        foreach (var (label, count, ids) in new[] { ("missing", r.Missing, r.MissingIds), ("extra", r.Extra, r.ExtraIds), ("stale", r.Stale, r.StaleIds) })
        {
            if (count > 0)
            {
                yield return $"  {label} ({count}): {string.Join(", ", ids.Select(i => i.Id))}{(count > ids.Count ? ", …" : "")}";
            }
        }

        foreach (var m in r.Mismatches)
        {
            yield return $"  values of {m.Id.Id}: {string.Join(", ", m.Columns.Select(c => $"{c.SourcePath} ({c.Reason})"))}";
        }

        if (!r.Clean)
        {
            foreach (var note in r.Notes)
            {
                yield return "  note: " + note;
            }
        }
    }
}
