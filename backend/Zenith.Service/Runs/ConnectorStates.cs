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
/// <param name="time">The clock a stream's lag is read against (default the system clock).</param>
public sealed class ConnectorStates(TimeProvider? time = null) : IConnectorGaugeSource
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    private readonly ConcurrentDictionary<long, ConnectorSummary> summaries = new();
    private readonly ConcurrentDictionary<long, bool> running = new();
    private readonly ConcurrentDictionary<long, StreamState> streams = new();
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

    public void SetRunning(long id, bool isRunning)
    {
        Flag(running, id, isRunning);
        if (!isRunning)
        {
            // A stream's position is its run's: none once it stopped.
            streams.TryRemove(id, out _);
        }
    }

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

    /// <summary>A change-stream run applied a micro-batch or found the stream idle (the run's journal says so, in memory only).</summary>
    public void SetStream(long id, StreamState state) => streams[id] = state;

    /// <summary>The connector's change stream as its running run last said; null when none is applying one.</summary>
    public StreamState? Stream(long id) => streams.TryGetValue(id, out var state) ? state : null;

    /// <summary>The connector's stream lag now (see <see cref="StreamState.LagSeconds"/>) and whether it is caught up; nulls when no stream applies.</summary>
    public (double? LagSeconds, bool? CaughtUp) StreamLag(long id) =>
        Stream(id) is { } state ? (state.LagSeconds(clock.GetUtcNow()), state.CaughtUp) : (null, null);

    public IReadOnlyList<StreamGauge> ReadStreams(DateTimeOffset now) =>
        [.. streams.Where(s => summaries.ContainsKey(s.Key)).OrderBy(s => s.Key).Select(s => new StreamGauge(summaries[s.Key].Name, s.Value.LagSeconds(now)))];

    IReadOnlyList<StreamGauge> IConnectorGaugeSource.ReadStreams() => ReadStreams(clock.GetUtcNow());
}

/// <summary>Where a running change stream is: what its last micro-batch covered and whether nothing more was waiting.</summary>
/// <param name="PositionAt">The cluster time everything applied covers (the stored resume token's).</param>
/// <param name="CaughtUp">The stream's last answer had no event waiting and everything read was applied.</param>
public sealed record StreamState(DateTimeOffset? LastEventAt, DateTimeOffset? PositionAt, bool CaughtUp)
{
    /// <summary>
    /// How far behind the stream is: 0 when caught up (an idle collection is not late, however old its last event), else now − the
    /// cluster time the applied position covers (the last applied event's); null before either is known.
    /// </summary>
    public double? LagSeconds(DateTimeOffset now) => CaughtUp ? 0 : PositionAt is { } at ? Math.Max(0, (now - at).TotalSeconds) : null;
}
