using System.Collections.Concurrent;
using Zenith.Service.Domain;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// What this process knows of each connector's state, in memory: its summary (name, status, failures, last success,
/// interval) and whether it runs. The use cases and the run coordinator write it after each change they make, the scheduler
/// refreshes it from SQLite on every pass (so connectors added to the file by the CLI appear); the gauges read it, so a
/// <c>/metrics</c> scrape neither reads SQLite nor decrypts a password. Depends on nothing, so nothing depends in a circle.
/// </summary>
public sealed class ConnectorStates : IConnectorGaugeSource
{
    private readonly ConcurrentDictionary<long, ConnectorSummary> summaries = new();
    private readonly ConcurrentDictionary<long, bool> running = new();
    private readonly ConcurrentDictionary<long, bool> stuck = new();

    public void Set(ConnectorSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        summaries[summary.Id] = summary;
    }

    /// <summary>The whole list as stored: connectors missing from it are gone.</summary>
    public void ReplaceAll(IReadOnlyCollection<ConnectorSummary> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        foreach (var summary in all)
        {
            summaries[summary.Id] = summary;
        }

        var ids = all.Select(s => s.Id).ToHashSet();
        foreach (var id in summaries.Keys.Where(id => !ids.Contains(id)))
        {
            summaries.TryRemove(id, out _);
        }
    }

    public void Remove(long id) => summaries.TryRemove(id, out _);

    public void SetRunning(long id, bool isRunning) => Flag(running, id, isRunning);

    /// <summary>The connector's run passed its deadline and has not stopped yet (cleared when it ends).</summary>
    public void SetStuck(long id, bool isStuck) => Flag(stuck, id, isStuck);

    public bool IsStuck(long id) => stuck.ContainsKey(id);

    /// <summary>Every connector as last seen, in id order: what health reads (no SQLite, no decryption).</summary>
    public IReadOnlyList<ConnectorSummary> Summaries => [.. summaries.Values.OrderBy(s => s.Id)];

    public IReadOnlyList<ConnectorGauge> Read() =>
        [.. Summaries.Select(s => new ConnectorGauge(s.Name, s.Status, running.ContainsKey(s.Id), s.ConsecutiveFailures, s.LastRun, s.IntervalSeconds, stuck.ContainsKey(s.Id), s.CredentialsUnreadable))];

    private static void Flag(ConcurrentDictionary<long, bool> flags, long id, bool on)
    {
        if (on)
        {
            flags[id] = true;
        }
        else
        {
            flags.TryRemove(id, out _);
        }
    }
}
