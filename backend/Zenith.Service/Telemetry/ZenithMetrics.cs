using System.Diagnostics.Metrics;
using Zenith.Core.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Telemetry;

/// <summary>A connector's state as the gauges report it.</summary>
/// <param name="Stuck">Its run passed the run deadline and has not stopped yet.</param>
/// <param name="CredentialsUnreadable">Its saved secrets cannot be decrypted.</param>
public readonly record struct ConnectorGauge(
    string Name, ConnectorStatus Status, bool Running, int ConsecutiveFailures, DateTimeOffset? LastSuccess, int IntervalSeconds, bool Stuck = false, bool CredentialsUnreadable = false);

/// <summary>Where the gauges read connector state from at scrape time: memory, never a store (see ConnectorStates).</summary>
public interface IConnectorGaugeSource
{
    IReadOnlyList<ConnectorGauge> Read();

    /// <summary>The change streams running now, with their lag.</summary>
    IReadOnlyList<StreamGauge> ReadStreams() => [];
}

/// <summary>A running change stream as the lag gauge reports it (null lag: not known yet).</summary>
public readonly record struct StreamGauge(string Name, double? LagSeconds);
/// <summary>A connector's latest succeeded verification, as the gauges report it.</summary>
public readonly record struct VerificationGauge(string Name, long Missing, long Extra, long Stale, long ValueMismatches, DateTimeOffset FinishedAt);

/// <summary>Where the verification gauges read from at scrape time: memory, never a store (see VerificationStates).</summary>
public interface IVerificationGaugeSource
{
    IReadOnlyList<VerificationGauge> ReadVerifications();
}

/// <summary>
/// The one <c>Zenith</c> meter and every instrument on it. Prometheus names follow from name + unit
/// (<c>zenith.rows.written</c> → <c>zenith_rows_written_total</c>, <c>zenith.sync.duration</c> in s → <c>zenith_sync_duration_seconds</c>).
/// </summary>
public sealed class ZenithMetrics
{
    public const string MeterName = "Zenith";
    private const string ConnectorTag = "connector";

    private readonly Counter<long> rowsRead;
    private readonly Counter<long> rowsWritten;
    private readonly Counter<long> rowsFailed;
    private readonly Counter<long> batches;
    private readonly Counter<long> bytes;
    private readonly Counter<long> runs;
    private readonly Histogram<double> duration;
    private readonly Counter<long> changeEvents;

    public ZenithMetrics(IMeterFactory meterFactory, IConnectorGaugeSource connectors, IVerificationGaugeSource? verifications = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(connectors);
        var meter = meterFactory.Create(MeterName);
        rowsRead = meter.CreateCounter<long>("zenith.rows.read", "{row}", "Documents read from MongoDB.");
        rowsWritten = meter.CreateCounter<long>("zenith.rows.written", "{row}", "Rows ClickHouse acknowledged.");
        rowsFailed = meter.CreateCounter<long>("zenith.rows.failed", "{row}", "Documents that could not be written.");
        batches = meter.CreateCounter<long>("zenith.batches", "{batch}", "Batches ClickHouse acknowledged.");
        bytes = meter.CreateCounter<long>("zenith.bytes", "By", "Bytes sent to ClickHouse.");
        runs = meter.CreateCounter<long>("zenith.runs", "{run}", "Finished runs by outcome.");
        duration = meter.CreateHistogram(
            "zenith.sync.duration",
            "s",
            "Duration of a connector run.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

        meter.CreateObservableGauge("zenith.connector.status", () => connectors.Read().SelectMany(StatusMeasurements), description: "1 for the connector's current status (active, paused, error).");
        meter.CreateObservableGauge("zenith.connector.running", () => connectors.Read().Select(c => new Measurement<int>(c.Running ? 1 : 0, Tag(c.Name))), description: "1 while the connector runs.");
        meter.CreateObservableGauge("zenith.connector.consecutive_failures", () => connectors.Read().Select(c => new Measurement<int>(c.ConsecutiveFailures, Tag(c.Name))), description: "Failed runs in a row.");
        meter.CreateObservableGauge(
            "zenith.connector.last_success_timestamp",
            () => connectors.Read().Where(c => c.LastSuccess is not null).Select(c => new Measurement<double>(c.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, Tag(c.Name))),
            "s",
            "Unix time of the last successful run.");
        changeEvents = meter.CreateCounter<long>("zenith.change_stream.events", "{event}", "Change-stream events applied, by type (insert, update, replace, delete, unreadable).");
        meter.CreateObservableGauge(
            "zenith.change_stream.lag",
            () => connectors.ReadStreams().Where(s => s.LagSeconds is not null).Select(s => new Measurement<double>(s.LagSeconds!.Value, Tag(s.Name))),
            "s",
            "Now minus the cluster time a running change stream has applied up to.");
        meter.CreateObservableGauge("zenith.connector.interval", () => connectors.Read().Select(c => new Measurement<int>(c.IntervalSeconds, Tag(c.Name))), "s", "The connector's schedule interval.");
        meter.CreateObservableGauge("zenith.connector.stuck", () => connectors.Read().Select(c => new Measurement<int>(c.Stuck ? 1 : 0, Tag(c.Name))), description: "1 while the connector's run is past its deadline and has not stopped.");
        meter.CreateObservableGauge(
            "zenith.connector.credentials_unreadable",
            () => connectors.Read().Select(c => new Measurement<int>(c.CredentialsUnreadable ? 1 : 0, Tag(c.Name))),
            description: "1 when the connector's saved passwords cannot be decrypted (enter them again).");

        if (verifications is not null)
        {
            VerificationGauges(meter, verifications);
        }
    }

    private static void VerificationGauges(Meter meter, IVerificationGaugeSource source)
    {
        IEnumerable<Measurement<long>> Read(Func<VerificationGauge, long> value) => source.ReadVerifications().Select(v => new Measurement<long>(value(v), Tag(v.Name)));
        meter.CreateObservableGauge("zenith.verify.missing_rows", () => Read(v => v.Missing), "{row}", "Documents without a row, found by the connector's latest verification.");
        meter.CreateObservableGauge("zenith.verify.extra_rows", () => Read(v => v.Extra), "{row}", "Rows without a document (deletes, in the incremental modes), found by the latest verification.");
        meter.CreateObservableGauge("zenith.verify.stale_rows", () => Read(v => v.Stale), "{row}", "Rows older than their document that the next run will not copy again, found by the latest verification.");
        meter.CreateObservableGauge("zenith.verify.value_mismatches", () => Read(v => v.ValueMismatches), "{document}", "Sampled documents whose row holds other values, found by the latest verification.");
        meter.CreateObservableGauge(
            "zenith.verify.last_timestamp",
            () => source.ReadVerifications().Select(v => new Measurement<double>(v.FinishedAt.ToUnixTimeMilliseconds() / 1000.0, Tag(v.Name))),
            "s",
            "Unix time the connector's latest succeeded verification finished.");
    }

    public void BatchCommitted(string connector, SyncProgress batch)
    {
        var tag = Tag(connector);
        rowsRead.Add(batch.RowsRead, tag);
        rowsWritten.Add(batch.RowsWritten, tag);
        rowsFailed.Add(batch.RowsFailed, tag);
        batches.Add(batch.Batches, tag);
        bytes.Add(batch.Bytes, tag);
    }

    public void ChangesApplied(string connector, ChangeCounts counts)
    {
        var tag = Tag(connector);
        Add("insert", counts.Inserts);
        Add("update", counts.Updates);
        Add("replace", counts.Replaces);
        Add("delete", counts.Deletes);
        Add("unreadable", counts.Unreadable);
        void Add(string type, long value)
        {
            if (value > 0)
            {
                changeEvents.Add(value, tag, new KeyValuePair<string, object?>("type", type));
            }
        }
    }

    public void RunFinished(string connector, SyncOutcome outcome, TimeSpan elapsed)
    {
        runs.Add(1, Tag(connector), new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        duration.Record(elapsed.TotalSeconds, Tag(connector));
    }

    private static IEnumerable<Measurement<int>> StatusMeasurements(ConnectorGauge c) =>
        Enum.GetValues<ConnectorStatus>().Select(s => new Measurement<int>(
            s == c.Status ? 1 : 0, Tag(c.Name), new KeyValuePair<string, object?>("status", s.ToString().ToLowerInvariant())));

    private static KeyValuePair<string, object?> Tag(string connector) => new(ConnectorTag, connector);
}
