namespace Zenith.Service.Domain;

// The states of connectors, runs and log lines. No XML doc comments on these enums: they would become descriptions in the
// OpenAPI document, which is the API contract.
public enum ConnectorStatus
{
    Active,
    Paused,
    Error,
}

/// <summary><c>queued</c> while the run waits for one of <c>max_parallel_jobs</c> slots.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public enum RunTrigger
{
    Schedule,
    Manual,
    Startup,
    Resync,
}

public enum LogSeverity
{
    Info,
    Warning,
    Error,
}
