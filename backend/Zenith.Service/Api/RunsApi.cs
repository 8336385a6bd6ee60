using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Metadata;

namespace Zenith.Service.Api;

/// <summary>The sync history: runs per connector and one run by id.</summary>
public static class RunsApi
{
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/connectors/{id:long}/runs", ListAsync).WithTags("Runs").WithName("ListRuns")
            .WithSummary("The connector's runs, newest first.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/runs/{runId:long}", GetAsync).WithTags("Runs").WithName("GetRun")
            .WithSummary("One run.").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<RunResponse[]>, ValidationProblem, ProblemHttpResult>> ListAsync(
        long id, ConnectorStore connectors, RunStore runs, CancellationToken ct, int limit = 50)
    {
        if (Problems.LimitOutOfRange(limit, MaxLimit) is { } problem)
        {
            return problem;
        }

        if (await connectors.GetSummaryAsync(id, ct) is null)
        {
            return Problems.ConnectorNotFound(id);
        }

        return TypedResults.Ok((await runs.ListAsync(id, limit, ct)).Select(RunResponse.From).ToArray());
    }

    private static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetAsync(long runId, RunStore runs, CancellationToken ct) =>
        await runs.GetAsync(runId, ct) is { } run ? TypedResults.Ok(RunResponse.From(run)) : Problems.RunNotFound(runId);
}
