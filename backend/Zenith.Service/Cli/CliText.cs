using System.Globalization;
using Zenith.Service.Api;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>What the CLI prints: the connector table and a run's line, in the dashboard's words (its badges' labels).</summary>
internal static class CliText
{
    /// <summary>
    /// The connector's badge as the dashboard shows it (frontend/src/features/connectors/status.ts): a sync in progress first,
    /// then a state the user set or must act on, then how the latest run ended.
    /// </summary>
    public static string Status(ConnectorResponse connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        if (connector.Running)
        {
            return "Running";
        }

        return connector.Status switch
        {
            ConnectorStatus.Paused => "Paused",
            ConnectorStatus.Error => "Error",
            _ => connector.LastResult is { } last ? Run(last.Status) : "Not run yet",
        };
    }

    /// <summary>A run's status as the dashboard's run badge says it.</summary>
    public static string Run(RunStatus status) => status switch
    {
        RunStatus.Queued => "Queued",
        RunStatus.Running => "Running",
        RunStatus.Succeeded => "Succeeded",
        RunStatus.Failed => "Failed",
        _ => "Cancelled",
    };

    public static async Task PrintConnectorsAsync(IReadOnlyList<ConnectorResponse> connectors, TextWriter output)
    {
        if (connectors.Count == 0)
        {
            await output.WriteLineAsync("No connectors. Add one with: zenith connectors add --help");
            return;
        }

        var width = Math.Max(4, connectors.Max(c => c.Name.Length));
        await output.WriteLineAsync($"{"NAME".PadRight(width)}  {"STATUS",-11}  {"LAST SUCCESS",-20}  LAST RUN");
        foreach (var c in connectors)
        {
            var last = c.LastResult is { } r
                ? $"{Run(r.Status)}: {r.RowsWritten.ToString("N0", CultureInfo.InvariantCulture)} rows written{(r.Error is null ? "" : " — " + r.Error)}"
                : "-";
            var lastSuccess = c.LastRun?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never";
            if (c.LagSeconds is { } lag)
            {
                // A change stream: how far behind it is matters more than its (never-ending) run.
                last = string.Create(CultureInfo.InvariantCulture, $"streaming, {lag:0.0} s behind{(c.CaughtUp == true ? ", caught up" : "")}; {last}");
            }

            await output.WriteLineAsync($"{c.Name.PadRight(width)}  {Status(c),-11}  {lastSuccess,-20}  {last}");
        }
    }

    /// <summary>"Run 7 succeeded: 120 read, 120 written, 0 failed, 1 batches in 42 ms", with the error's one line when it failed.</summary>
    public static string RunLine(RunResponse run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var status = Run(run.Status).ToLowerInvariant();
        return $"Run {run.Id} {status}: {run.RowsRead} read, {run.RowsWritten} written, {run.RowsFailed} failed, {run.Batches} batches in {run.DurationMs ?? 0} ms"
            + (run.Error is null ? string.Empty : " — " + run.Error);
    }
}
