namespace Zenith.Service.Configuration;

/// <summary>
/// Everything the service reads from <c>zenith.json</c> (the PRD's §6 shape, snake_case keys) and from
/// <c>ZENITH_</c> environment variables (<c>ZENITH_processing__batch_size=5000</c>). Defaults are the PRD's.
/// </summary>
public sealed class ZenithOptions
{
    /// <summary>Engine label from the PRD's file; informational. Default <c>Zenith-V1</c>.</summary>
    [ConfigurationKeyName("engine")]
    public string Engine { get; set; } = "Zenith-V1";

    [ConfigurationKeyName("metadata_storage")]
    public MetadataStorageOptions MetadataStorage { get; set; } = new();

    [ConfigurationKeyName("processing")]
    public ProcessingOptions Processing { get; set; } = new();

    [ConfigurationKeyName("alerting")]
    public AlertingOptions Alerting { get; set; } = new();

    [ConfigurationKeyName("retention")]
    public RetentionOptions Retention { get; set; } = new();

    [ConfigurationKeyName("auth")]
    public AuthOptions Auth { get; set; } = new();

    [ConfigurationKeyName("verification")]
    public VerificationSettings Verification { get; set; } = new();

    [ConfigurationKeyName("server")]
    public ServerOptions Server { get; set; } = new();

    [ConfigurationKeyName("network")]
    public NetworkOptions Network { get; set; } = new();

    [ConfigurationKeyName("timeouts")]
    public TimeoutOptions Timeouts { get; set; } = new();

    public sealed class MetadataStorageOptions
    {
        /// <summary>Only <c>sqlite3</c> is supported.</summary>
        [ConfigurationKeyName("type")]
        public string Type { get; set; } = "sqlite3";

        /// <summary>The SQLite file; the Data Protection key ring lives in <c>keys/</c> beside it. Default <c>./zenith_metadata.db</c>.</summary>
        [ConfigurationKeyName("path")]
        public string Path { get; set; } = "./zenith_metadata.db";
    }

    public sealed class ProcessingOptions
    {
        /// <summary>Documents per ClickHouse insert when a connector sets none. Default 1000 (1–100000).</summary>
        [ConfigurationKeyName("batch_size")]
        public int BatchSize { get; set; } = 1000;

        /// <summary>Connector runs at the same time. Default 4 (1–64).</summary>
        [ConfigurationKeyName("max_parallel_jobs")]
        public int MaxParallelJobs { get; set; } = 4;

        /// <summary>
        /// Most BSON bytes a batch holds: it is cut at the batch size or before passing this, so large documents cannot make a batch
        /// of gigabytes. Default 16 MiB (1 MiB–1 GiB).
        /// </summary>
        [ConfigurationKeyName("max_batch_bytes")]
        public long MaxBatchBytes { get; set; } = 16L * 1024 * 1024;

        /// <summary>
        /// A document larger than this (BSON bytes) is not written: counted as failed, reported with its _id, and the run goes on.
        /// Default 16 MiB, MongoDB's own limit (1 KiB–16 MiB).
        /// </summary>
        [ConfigurationKeyName("max_document_bytes")]
        public int MaxDocumentBytes { get; set; } = 16 * 1024 * 1024;
    }

    public sealed class AlertingOptions
    {
        /// <summary>Consecutive failed runs after which a connector turns to <c>error</c> and stops being scheduled. Default 3 (1–100).</summary>
        [ConfigurationKeyName("failure_threshold")]
        public int FailureThreshold { get; set; } = 3;
    }

    public sealed class RetentionOptions
    {
        /// <summary>Log entries kept in SQLite for each connector, and for the service's own lines (the PRD's 100–500). Default 500.</summary>
        [ConfigurationKeyName("max_log_entries")]
        public int MaxLogEntries { get; set; } = 500;

        /// <summary>Runs kept per connector. Default 100 (10–1000).</summary>
        [ConfigurationKeyName("max_runs_per_connector")]
        public int MaxRunsPerConnector { get; set; } = 100;

        /// <summary>Verifications kept per connector. Default 20 (1–1000).</summary>
        [ConfigurationKeyName("max_verifications_per_connector")]
        public int MaxVerificationsPerConnector { get; set; } = 20;
    }

    public sealed class AuthOptions
    {
        /// <summary>Bearer key for <c>/api/*</c>. Empty means no key: the service then listens on loopback only.</summary>
        [ConfigurationKeyName("api_key")]
        public string? ApiKey { get; set; }

        /// <summary>Whether <c>/metrics</c> also needs the key. Default false.</summary>
        [ConfigurationKeyName("protect_metrics")]
        public bool ProtectMetrics { get; set; }

        public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);
    }

    public sealed class ServerOptions
    {
        /// <summary>Addresses to listen on, separated by <c>;</c>. Default <c>http://127.0.0.1:8080</c>.</summary>
        [ConfigurationKeyName("urls")]
        public string Urls { get; set; } = "http://127.0.0.1:8080";
    }

    public sealed class NetworkOptions
    {
        /// <summary>
        /// The hosts connectors may name, separated by <c>;</c> or <c>,</c>: host names, <c>*.domain</c>, IP addresses, CIDR ranges
        /// (<c>clickhouse;*.db.internal;10.0.0.0/8</c>). Empty (the default): any host. Checked when a connector is saved or tested and
        /// before every connection, so the API cannot be used to probe other hosts of the network.
        /// </summary>
        [ConfigurationKeyName("allowed_hosts")]
        public string? AllowedHosts { get; set; }
    }

    public sealed class TimeoutOptions
    {
        /// <summary>Connecting to MongoDB or ClickHouse (a connection test gets twice this). Default 10 s (1–300).</summary>
        [ConfigurationKeyName("connect_seconds")]
        public int ConnectSeconds { get; set; } = 10;

        /// <summary>One network call: a statement, an insert, a MongoDB reply. Default 300 s (5–86400).</summary>
        [ConfigurationKeyName("query_seconds")]
        public int QuerySeconds { get; set; } = 300;

        /// <summary>
        /// A run's deadline: a run still going after this is stopped (between batches, its checkpoint where ClickHouse is) and
        /// fails; until it has stopped it is reported stuck (health, dashboard, metrics). Default 21600 s, 6 h (1–604800).
        /// </summary>
        [ConfigurationKeyName("run_seconds")]
        public int RunSeconds { get; set; } = 6 * 3600;
    }

    /// <summary>How verifications (a table against its collection) read and what they keep.</summary>
    public sealed class VerificationSettings
    {
        /// <summary>Documents per second a verification reads from MongoDB at most, so it does not load production. Default 200,000 (100–100,000,000).</summary>
        [ConfigurationKeyName("max_documents_per_second")]
        public int MaxDocumentsPerSecond { get; set; } = 200_000;

        /// <summary>Verifications at the same time, apart from the sync slots (max_parallel_jobs): a verification never holds up a sync. Default 1 (1–8).</summary>
        [ConfigurationKeyName("max_parallel")]
        public int MaxParallel { get; set; } = 1;

        /// <summary>Documents whose values are compared when a request names no sample size. Default 1000 (0–100,000).</summary>
        [ConfigurationKeyName("sample_size")]
        public int SampleSize { get; set; } = 1000;

        /// <summary>Ids of each kind of difference a verification lists (totals are exact). Default 20 (1–1000).</summary>
        [ConfigurationKeyName("max_reported_ids")]
        public int MaxReportedIds { get; set; } = 20;
    }
}
