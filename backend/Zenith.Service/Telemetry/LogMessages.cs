using Zenith.Core.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Telemetry;

/// <summary>Every console log message, source-generated with its event id. None carries document contents or passwords.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Information, "Zenith listening on {Urls}")]
    public static partial void Listening(this ILogger logger, string urls);

    [LoggerMessage(2, LogLevel.Warning, "No API key configured (auth.api_key / ZENITH_auth__api_key): the API is open to local users, so Zenith listens on loopback only")]
    public static partial void NoApiKey(this ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Metadata database {Path} at schema version {Version}")]
    public static partial void MetadataReady(this ILogger logger, string path, int version);

    [LoggerMessage(4, LogLevel.Warning, "Other users could read {Paths}, which hold the connectors' encrypted passwords and the keys that decrypt them; they are now readable by their owner only (0600, keys/ 0700)")]
    public static partial void MetadataFilesExposed(this ILogger logger, string paths);

    [LoggerMessage(10, LogLevel.Information, "Run {RunId} of connector {Connector} started ({Trigger})")]
    public static partial void RunStarted(this ILogger logger, string connector, long runId, RunTrigger trigger);

    [LoggerMessage(11, LogLevel.Information, "Run {RunId} of connector {Connector} {Outcome}: {RowsRead} read, {RowsWritten} written, {RowsFailed} failed in {DurationMs} ms")]
    public static partial void RunFinished(this ILogger logger, string connector, long runId, SyncOutcome outcome, long rowsRead, long rowsWritten, long rowsFailed, long durationMs);

    [LoggerMessage(12, LogLevel.Error, "Run {RunId} of connector {Connector} failed: {Error}")]
    public static partial void RunFailed(this ILogger logger, string connector, long runId, string error);

    [LoggerMessage(13, LogLevel.Warning, "Connector {Connector}, run {RunId}: {Summary}")]
    public static partial void DocumentsFailed(this ILogger logger, string connector, long runId, string summary);

    [LoggerMessage(14, LogLevel.Information, "Connector {Connector}: {Note}")]
    public static partial void Note(this ILogger logger, string connector, string note);

    [LoggerMessage(15, LogLevel.Error, "Connector {Connector} turned to error after {Failures} failed runs in a row; resume it to schedule it again")]
    public static partial void TurnedToError(this ILogger logger, string connector, int failures);

    [LoggerMessage(16, LogLevel.Error, "The sync engine threw for connector {Connector} (run {RunId}): {Exception}")]
    public static partial void EngineThrew(this ILogger logger, string connector, long runId, string exception);

    [LoggerMessage(17, LogLevel.Warning, "Could not record progress of run {RunId}")]
    public static partial void ProgressNotRecorded(this ILogger logger, Exception exception, long runId);

    [LoggerMessage(18, LogLevel.Error, "Could not record run {RunId} of connector {ConnectorId}; the run is closed as failed")]
    public static partial void RunNotRecorded(this ILogger logger, Exception exception, long? connectorId, long runId);

    [LoggerMessage(19, LogLevel.Error, "Run {RunId} of connector {Connector} cannot start: its saved passwords cannot be decrypted (database restored without its keys/?); enter them again")]
    public static partial void CredentialsUnreadable(this ILogger logger, string connector, long runId);

    [LoggerMessage(24, LogLevel.Error, "Health: the metadata database cannot be read")]
    public static partial void SqliteUnreachable(this ILogger logger, Exception exception);

    [LoggerMessage(25, LogLevel.Error, "Run {RunId} of connector {Connector} passed its deadline (timeouts.run_seconds = {Seconds} s); stopping it")]
    public static partial void RunPastDeadline(this ILogger logger, string connector, long runId, int seconds);

    [LoggerMessage(30, LogLevel.Debug, "Run {RunId} of connector {Connector} failed; the drivers said: {Detail}")]
    public static partial void RunFailureDetail(this ILogger logger, string connector, long runId, string detail);

    [LoggerMessage(31, LogLevel.Debug, "{What} failed for connector {Connector}; the drivers said: {Detail}")]
    public static partial void CheckFailureDetail(this ILogger logger, string what, string connector, string detail);

    [LoggerMessage(20, LogLevel.Information, "Scheduler started: at most {MaxParallelJobs} runs at once")]
    public static partial void SchedulerStarted(this ILogger logger, int maxParallelJobs);

    [LoggerMessage(21, LogLevel.Error, "Scheduler pass failed; retrying")]
    public static partial void SchedulerPassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(23, LogLevel.Warning, "Stopping: {Count} syncs did not stop within the shutdown timeout; they resume from their checkpoints at the next start")]
    public static partial void RunsOutlivedShutdown(this ILogger logger, int count);

    [LoggerMessage(30, LogLevel.Information, "Verification {VerificationId} of connector {Connector} {Outcome}: {Summary}")]
    public static partial void VerificationFinished(this ILogger logger, string connector, long verificationId, string outcome, string summary);

    [LoggerMessage(31, LogLevel.Error, "Could not record verification {VerificationId} of connector {ConnectorId}")]
    public static partial void VerificationNotRecorded(this ILogger logger, Exception exception, long connectorId, long verificationId);

    [LoggerMessage(22, LogLevel.Information, "Stopping: cancelling {Count} running syncs between batches")]
    public static partial void CancellingRuns(this ILogger logger, int count);
}
