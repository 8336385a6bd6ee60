using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Connectors;
using Zenith.Service.Domain;

namespace Zenith.Service.Api;

/// <summary>Verifications: start one for a connector, read them, cancel one (<c>POST /api/verifications/{id}/cancel</c>).</summary>
public static class VerificationsApi
{
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapVerificationsApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/connectors/{id:long}/verify", StartAsync).WithTags("Verifications").WithName("VerifyConnector")
            .WithSummary("Starts a verification of the connector's table against its collection (in the background); 409 while one runs.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/connectors/{id:long}/verifications", ListAsync).WithTags("Verifications").WithName("ListVerifications")
            .WithSummary("The connector's verifications, newest first.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/verifications/{verificationId:long}", GetAsync).WithTags("Verifications").WithName("GetVerification")
            .WithSummary("One verification: progress while it runs, the report when it ends.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/verifications/{verificationId:long}/cancel", CancelAsync).WithTags("Verifications").WithName("CancelVerification")
            .WithSummary("Stops a queued or running verification; 409 when it has already finished.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Results<Accepted<VerificationResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        long id, VerificationService verifications, CancellationToken ct, VerificationRequest? request = null)
    {
        var started = await verifications.StartAsync(id, request?.SampleSize, VerificationTrigger.Manual, ct);
        return started.Outcome switch
        {
            Outcome.Ok => TypedResults.Accepted($"/api/verifications/{started.Value!.Id}", VerificationResponse.From(started.Value)),
            Outcome.NotFound => Problems.ConnectorNotFound(id),
            Outcome.Invalid => Problems.Validation(started.Errors!),
            _ => TypedResults.Problem(
                title: "A verification is already running.",
                detail: $"{started.Detail}; wait for it (GET /api/connectors/{id}/verifications) or cancel it, then try again.",
                statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static async Task<Results<Ok<VerificationResponse[]>, ValidationProblem, ProblemHttpResult>> ListAsync(long id, VerificationService verifications, CancellationToken ct, int limit = 20)
    {
        if (Problems.LimitOutOfRange(limit, MaxLimit) is { } problem)
        {
            return problem;
        }

        return await verifications.ListAsync(id, limit, ct) is { } list
            ? TypedResults.Ok(list.Select(VerificationResponse.From).ToArray())
            : Problems.ConnectorNotFound(id);
    }

    private static async Task<Results<Ok<VerificationResponse>, ProblemHttpResult>> GetAsync(long verificationId, VerificationService verifications, CancellationToken ct) =>
        await verifications.GetAsync(verificationId, ct) is { } verification ? TypedResults.Ok(VerificationResponse.From(verification)) : NotFound(verificationId);

    private static async Task<Results<Ok<VerificationResponse>, ProblemHttpResult>> CancelAsync(long verificationId, VerificationService verifications, CancellationToken ct)
    {
        var cancelled = await verifications.CancelAsync(verificationId, ct);
        return cancelled.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(VerificationResponse.From(cancelled.Value!)),
            Outcome.NotFound => NotFound(verificationId),
            _ => TypedResults.Problem(title: "The verification is not running.", detail: cancelled.Detail + ".", statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        title: "Verification not found.",
        detail: $"There is no verification with id {id}; old ones are pruned (retention.max_verifications_per_connector).",
        statusCode: StatusCodes.Status404NotFound);
}
