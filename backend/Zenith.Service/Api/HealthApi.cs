using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Metadata;
using Zenith.Service.Scheduling;

namespace Zenith.Service.Api;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (SQLite reachable and migrated, scheduler running). Open without a key.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("healthy", new Dictionary<string, HealthCheckDto>())))
            .WithName("Live").WithSummary("The process is up.");
        group.MapGet("/ready", ReadyAsync).WithName("Ready").WithSummary("SQLite is reachable and migrated, and the scheduler runs.")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(MetadataDatabase database, ConnectorScheduler scheduler, CancellationToken ct)
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
            checks["sqlite"] = new("unhealthy", e.Message);
        }

        checks["scheduler"] = scheduler.IsRunning ? new("healthy", null) : new("unhealthy", "The scheduler is not running.");
        var healthy = checks.Values.All(c => c.Status == "healthy");
        var response = new HealthResponse(healthy ? "healthy" : "unhealthy", checks);
        return healthy ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
