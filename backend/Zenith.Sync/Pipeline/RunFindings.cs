using System.Globalization;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;

namespace Zenith.Sync.Pipeline;

/// <summary>What a run found that the user should fix, in words (counts and field names, never document contents).</summary>
internal static class RunFindings
{
    public static IEnumerable<SyncWarning> Of(ConnectorSpec connector, TrackerFindings findings, SettleWindow window, DateTimeOffset runStart)
    {
        var field = connector.Mode == SyncMode.IncrementalTimestamp ? connector.CursorField : "_id";
        if (findings.FarFuture > 0)
        {
            var bound = (runStart + window.FutureTolerance).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            yield return new SyncWarning(
                SyncWarningKind.FarFutureValues,
                $"{findings.FarFuture} document(s) have {field} after {bound} (the run's start + {window.FutureTolerance.TotalHours:0.#} h): " +
                "copied, but they never move the checkpoint, so every run copies them again. Correct their " + field + " (a test row? local time stored as UTC?).");
        }

        if (findings.ArrayValues > 0)
        {
            yield return new SyncWarning(
                SyncWarningKind.ArrayCursorValues,
                $"{findings.ArrayValues} document(s) have an array in {field}: copied, but they never move the checkpoint (MongoDB sorts an array " +
                "by its smallest element and $gt matches any element). Give each document one value there, or choose another cursor field.");
        }
    }

    public static IEnumerable<SyncWarning> KeyMisfits(long values, string columns)
    {
        yield return new SyncWarning(
            SyncWarningKind.KeyValuesNotStored,
            $"{values} value(s) did not fit the key column(s) {columns}: those rows hold NULL there and keep the value in " +
            $"{Core.Mapping.TableSchema.ExtraColumn} under its path, as ClickHouse cannot change a key column's type. Give the field one " +
            "type, or choose other ORDER BY / PARTITION BY columns and resync.");
    }
}
