using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Scheduling;

/// <summary>Connector state for the gauges, read from SQLite at scrape time (a few rows) plus which runs are live.</summary>
public sealed class ConnectorGaugeSource(ConnectorStore connectors, IServiceProvider services) : IConnectorGaugeSource
{
    // Resolved lazily: the coordinator needs the metrics, which need this source.
    private RunCoordinator Coordinator => services.GetRequiredService<RunCoordinator>();

    public IReadOnlyList<ConnectorGauge> Read() =>
        connectors.List()
            .Select(c => new ConnectorGauge(
                c.Definition.Name,
                c.Status,
                Coordinator.IsRunning(c.Id),
                c.ConsecutiveFailures,
                c.LastRun,
                c.Definition.IntervalSeconds))
            .ToList();
}
