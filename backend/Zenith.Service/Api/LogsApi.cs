using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;

namespace Zenith.Service.Api;

/// <summary>The bounded system log (the PRD's sync history).</summary>
public static class LogsApi
{
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/logs", ListAsync).WithTags("Logs").WithName("ListLogs")
            .WithSummary("Log entries, newest first; level keeps that level and the more severe ones.")
            .ProducesValidationProblem();
        return api;
    }

    private static async Task<Results<Ok<LogResponse[]>, ValidationProblem>> ListAsync(
        LogStore logs,
        CancellationToken ct,
        long? connectorId = null,
        [Description("info, warning or error: that level and the more severe ones.")] string? level = null,
        int limit = 200)
    {
        LogSeverity? minimum = null;
        if (!string.IsNullOrEmpty(level))
        {
            if (!Enum.TryParse<LogSeverity>(level, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["level"] = [$"Unknown level \"{level}\": use info, warning or error."] });
            }

            minimum = parsed;
        }

        if (Problems.LimitOutOfRange(limit, MaxLimit) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok((await logs.ListAsync(connectorId, minimum, limit, ct)).Select(LogResponse.From).ToArray());
    }
}
