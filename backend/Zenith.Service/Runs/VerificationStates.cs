using System.Collections.Concurrent;
using Zenith.Service.Domain;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

/// <summary>
/// Each connector's latest succeeded verification, in memory, for the gauges (a scrape reads no SQLite). Written when a verification
/// ends and loaded from SQLite by the verification scheduler's first pass; connectors that are gone are dropped on each pass.
/// </summary>
public sealed class VerificationStates : IVerificationGaugeSource
{
    private readonly ConcurrentDictionary<long, (string Name, VerificationRecord Latest)> latest = new();

    public void Set(string connectorName, VerificationRecord verification)
    {
        ArgumentNullException.ThrowIfNull(verification);
        if (verification is { Status: VerificationStatus.Succeeded, Report: not null })
        {
            latest[verification.ConnectorId] = (connectorName, verification);
        }
    }

    /// <summary>Keeps only these connectors, under their current names.</summary>
    public void Retain(IReadOnlyDictionary<long, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var (id, entry) in latest)
        {
            if (!names.TryGetValue(id, out var name))
            {
                latest.TryRemove(id, out _);
            }
            else if (name != entry.Name)
            {
                latest[id] = (name, entry.Latest);
            }
        }
    }

    public IReadOnlyList<VerificationGauge> ReadVerifications() =>
        [.. latest.Values.OrderBy(v => v.Latest.ConnectorId).Select(v => new VerificationGauge(
            v.Name, v.Latest.Report!.Missing, v.Latest.Report.Extra, v.Latest.Report.Stale, v.Latest.Report.ValueMismatches, v.Latest.FinishedAt ?? v.Latest.StartedAt))];
}
