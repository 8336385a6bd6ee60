using Microsoft.Extensions.Options;

namespace Zenith.Service.Configuration;

/// <summary>Checks every setting and names the first bad one the way it is written in <c>zenith.json</c>.</summary>
public sealed class ZenithOptionsValidator : IValidateOptions<ZenithOptions>
{
    public ValidateOptionsResult Validate(string? name, ZenithOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Check(ZenithOptions o)
    {
        if (!string.Equals(o.MetadataStorage.Type, "sqlite3", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"metadata_storage.type must be \"sqlite3\" (got \"{o.MetadataStorage.Type}\")";
        }

        if (string.IsNullOrWhiteSpace(o.MetadataStorage.Path))
        {
            yield return "metadata_storage.path must not be empty";
        }

        foreach (var failure in new[]
                 {
                     Range("processing.batch_size", o.Processing.BatchSize, 1, 100_000),
                     Range("processing.max_parallel_jobs", o.Processing.MaxParallelJobs, 1, 64),
                     Range("processing.max_batch_bytes", o.Processing.MaxBatchBytes, 1L << 20, 1L << 30),
                     Range("processing.max_document_bytes", o.Processing.MaxDocumentBytes, 1 << 10, 16 << 20),
                     Range("alerting.failure_threshold", o.Alerting.FailureThreshold, 1, 100),
                     Range("retention.max_log_entries", o.Retention.MaxLogEntries, 100, 500),
                     Range("retention.max_runs_per_connector", o.Retention.MaxRunsPerConnector, 10, 1000),
                     Range("timeouts.connect_seconds", o.Timeouts.ConnectSeconds, 1, 300),
                     Range("timeouts.query_seconds", o.Timeouts.QuerySeconds, 5, 86_400),
                     Range("timeouts.run_seconds", o.Timeouts.RunSeconds, 1, 604_800),
                     Range("retention.max_verifications_per_connector", o.Retention.MaxVerificationsPerConnector, 1, 1000),
                     Range("verification.max_documents_per_second", o.Verification.MaxDocumentsPerSecond, 100, 100_000_000),
                     Range("verification.max_parallel", o.Verification.MaxParallel, 1, 8),
                     Range("verification.sample_size", o.Verification.SampleSize, 0, 100_000),
                     Range("verification.max_reported_ids", o.Verification.MaxReportedIds, 1, 1000),
                 })
        {
            if (failure is not null)
            {
                yield return failure;
            }
        }

        if (ListenAddresses.Parse(o.Server.Urls) is { Error: { } urlError })
        {
            yield return $"server.urls {urlError}";
        }

        _ = Zenith.Core.Connections.HostAllowList.Parse(o.Network.AllowedHosts, out var badHost);
        if (badHost is not null)
        {
            yield return $"network.allowed_hosts must list host names, *.domain, IP addresses or CIDR ranges separated by ';' (got \"{badHost}\")";
        }
    }

    private static string? Range(string key, long value, long min, long max) =>
        value < min || value > max ? $"{key} must be between {min} and {max} (got {value})" : null;
}
