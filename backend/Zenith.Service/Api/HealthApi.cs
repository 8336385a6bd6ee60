using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;
using Zenith.Service.Scheduling;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Api;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (SQLite reachable and migrated, scheduler running, no run
/// stuck past its deadline, every connector's credentials readable). Open without a key, so it never returns exception text:
/// that goes to the service log.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("healthy", new Dictionary<string, HealthCheckDto>())))
            .WithName("Live").WithSummary("The process is up.");
        group.MapGet("/ready", ReadyAsync).WithName("Ready")
            .WithSummary("SQLite is reachable and migrated, the scheduler runs, no run is stuck past its deadline and every connector's credentials can be decrypted.")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(
        MetadataDatabase database, ConnectorScheduler scheduler, ConnectorStates states, ILoggerFactory loggers, CancellationToken ct)
    {
        var checks = new Dictionary<string, HealthCheckDto>();
        try
        {
            await using var connection = await database.OpenAsync(ct);
            var version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version;", cancellationToken: ct)) ?? 0;
            checks["sqlite"] = version >= Migrations.LatestVersion
                ? new("healthy", $"schema version {version}")
                : new("unhealthy", $"schema version {version}, expected {Migrations.LatestVersion}");
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            loggers.CreateLogger("Zenith.Health").SqliteUnreachable(e);
            checks["sqlite"] = new("unhealthy", "The metadata database cannot be read; the service log says why.");
        }

        checks["scheduler"] = scheduler.IsRunning ? new("healthy", null) : new("unhealthy", "The scheduler is not running.");
        var summaries = states.Summaries;
        var stuck = summaries.Where(s => states.IsStuck(s.Id)).Select(s => s.Name).ToList();
        checks["runs"] = stuck.Count == 0
            ? new("healthy", null)
            : new("unhealthy", $"Runs stuck past their deadline (timeouts.run_seconds), not stopped yet: {string.Join(", ", stuck)}.");
        var unreadable = summaries.Where(s => s.CredentialsUnreadable).Select(s => s.Name).ToList();
        checks["credentials"] = unreadable.Count == 0
            ? new("healthy", null)
            : new("unhealthy", $"Credentials unreadable — enter the password again for: {string.Join(", ", unreadable)}.");
        var healthy = checks.Values.All(c => c.Status == "healthy");
        var response = new HealthResponse(healthy ? "healthy" : "unhealthy", checks);
        return healthy ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
