using System.Globalization;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>One row of <c>connectors</c>, as Dapper maps it (snake_case columns → properties).</summary>
internal sealed class ConnectorRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string SourceUri { get; set; } = "";
    public string? SourceSecret { get; set; }
    public string? SourceOptionSecrets { get; set; }
    public string SourceDatabase { get; set; } = "";
    public string SourceCollection { get; set; } = "";
    public string? SourceFilter { get; set; }
    public string? SourceProjection { get; set; }
    public string DestUri { get; set; } = "";
    public string? DestSecret { get; set; }
    public string? DestOptionSecrets { get; set; }
    public string DestDatabase { get; set; } = "";
    public string DestTable { get; set; } = "";
    public string SyncMode { get; set; } = "";
    public string CursorField { get; set; } = "";
    public long IntervalSeconds { get; set; }
    public long? BatchSize { get; set; }
    public string MappingSeparator { get; set; } = "_";
    public long MappingMaxDepth { get; set; }
    public string? MappingOptions { get; set; }
    public string? TableOrderBy { get; set; }
    public string? TablePartitionBy { get; set; }
    public string? TableTtl { get; set; }
    public long? VerifyIntervalSeconds { get; set; }
    public string SyncStatus { get; set; } = "";
    public long ConsecutiveFailures { get; set; }
    public long? LastRun { get; set; }
    public long? LastAttemptAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long SettleSeconds { get; set; } = 5;
    public string OnHistoryLost { get; set; } = "resync";
    public string? Warnings { get; set; }
    public bool CredentialsUnreadable { get; set; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"connector {Id}");
}

/// <summary>The columns of <c>connectors</c> that hold no secret: a <see cref="ConnectorSummary"/>.</summary>
internal sealed class SummaryRow
{
    public const string Columns = "id, name, sync_status, consecutive_failures, last_run, last_attempt_at, interval_seconds, credentials_unreadable, sync_mode";

    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string SyncStatus { get; set; } = "";
    public long ConsecutiveFailures { get; set; }
    public long? LastRun { get; set; }
    public long? LastAttemptAt { get; set; }
    public long IntervalSeconds { get; set; }
    public bool CredentialsUnreadable { get; set; }
    public string SyncMode { get; set; } = "";

    public ConnectorSummary ToModel() => new(
        Id,
        Name,
        DomainText.Parse<ConnectorStatus>(SyncStatus),
        (int)ConsecutiveFailures,
        UnixTime.From(LastRun),
        UnixTime.From(LastAttemptAt),
        (int)IntervalSeconds,
        CredentialsUnreadable,
        DomainText.ParseMode(SyncMode));
}
