using System.Globalization;

namespace Zenith.Service.Runs;

/// <summary>
/// The documents one insert could not write, summed up for one history line: how many, their reasons with counts (the most
/// frequent first), the first ids. Bounded whatever the count: a batch of a million bad documents is one short line.
/// Thread-safe (told on the ordered stage, taken there too, and once more when the journal ends).
/// </summary>
internal sealed class FailureSummary
{
    public const int FirstIds = 5;
    private const int Reasons = 3;
    private const int ReasonsTracked = 20;

    private readonly Lock gate = new();
    private readonly List<string> ids = [];
    private readonly Dictionary<string, int> reasons = new(StringComparer.Ordinal);
    private long count;
    private long otherReasons;

    public void Add(string documentId, string reason)
    {
        lock (gate)
        {
            count++;
            if (ids.Count < FirstIds)
            {
                ids.Add(documentId);
            }

            if (reasons.TryGetValue(reason, out var seen))
            {
                reasons[reason] = seen + 1;
            }
            else if (reasons.Count < ReasonsTracked)
            {
                reasons[reason] = 1;
            }
            else
            {
                otherReasons++;
            }
        }
    }

    /// <summary>The line for what was added since the last take, or null when nothing was; starts over.</summary>
    public string? Take()
    {
        lock (gate)
        {
            if (count == 0)
            {
                return null;
            }

            var ranked = reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
            var told = ranked.Take(Reasons).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} ({r.Value})")).ToList();
            var untold = ranked.Skip(Reasons).Sum(r => (long)r.Value) + otherReasons;
            if (untold > 0)
            {
                told.Add(string.Create(CultureInfo.InvariantCulture, $"other reasons ({untold})"));
            }

            var noun = count == 1 ? "document" : "documents";
            var line = string.Create(CultureInfo.InvariantCulture, $"{count} {noun} not written in this insert: {string.Join("; ", told)}. First _id{(ids.Count == 1 ? "" : "s")}: {string.Join(", ", ids)}.");
            (count, otherReasons) = (0, 0);
            ids.Clear();
            reasons.Clear();
            return line;
        }
    }
}
