using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Connectors;

namespace Zenith.Service.Api;

/// <summary><c>/api/connectors</c>: CRUD, sync now, pause/resume, reset and resync, connection test and mapping preview.</summary>
public static class ConnectorsApi
{
    public static RouteGroupBuilder MapConnectorsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/connectors").WithTags("Connectors");
        group.MapGet("/", ListAsync).WithName("ListConnectors").WithSummary("All connectors with their status and latest run.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetConnector").WithSummary("One connector.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateConnector").WithSummary("Creates a connector; it starts active and runs at once, or paused (paused: true) to be reviewed first.")
            .ProducesValidationProblem();
        group.MapPut("/{id:long}", UpdateAsync).WithName("UpdateConnector")
            .WithSummary("Replaces a connector's definition; a masked or missing password keeps the stored one. A mapping change that would alter a written table is refused (409) and names the resync.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{id:long}", PatchAsync).WithName("PatchConnector")
            .WithSummary("Changes only the fields sent (JSON merge patch, RFC 7396: null removes an optional field); the same rules as PUT.")
            .Accepts<ConnectorPatch>(MergePatchContentType, "application/json")
            .Produces<ConnectorResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteConnector").WithSummary("Stops a running sync and deletes the connector; the ClickHouse table stays.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/sync", SyncAsync).WithName("SyncConnector").WithSummary("Starts a run now (409 if one is running or its credentials are unreadable).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/pause", PauseAsync).WithName("PauseConnector").WithSummary("Stops scheduling the connector and cancels its running sync between batches.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/resume", ResumeAsync).WithName("ResumeConnector").WithSummary("Schedules the connector again; from error, also resets the failure count.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/reset", ResetAsync).WithName("ResetConnector")
            .WithSummary("Forgets the checkpoint: the next run starts from the beginning into the same table (a running sync stops first).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/resync", ResyncAsync).WithName("ResyncConnector")
            .WithSummary("Reloads everything into a new table and swaps it in atomically, for any mode; the checkpoint follows the reload (409 if a run is going).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/test", TestAsync).WithName("TestConnection").WithSummary("Tests both ends of a connector before saving it.")
            .ProducesValidationProblem();
        group.MapPost("/{id:long}/test", TestSavedAsync).WithName("TestConnector").WithSummary("Tests both ends of a saved connector.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/preview", PreviewAsync).WithName("PreviewConnector")
            .WithSummary("The ClickHouse columns a random sample of the collection maps to, with each column's kind and reason, and warnings.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapPost("/preview", PreviewDraftAsync).WithName("PreviewConnection")
            .WithSummary("The mapping preview of a connector not saved yet (or of an edit): the mapping editor's live preview.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
        return group;
    }

    public const string MergePatchContentType = "application/merge-patch+json";

    // The tables' rows and freshness as last measured: a stale measurement is refreshed, waited for a moment at most.
    private static async Task<Ok<ConnectorResponse[]>> ListAsync(ConnectorService connectors, TableStatistics statistics, CancellationToken ct)
    {
        var views = await connectors.ListAsync(ct);
        var measured = await Task.WhenAll(views.Select(v => statistics.GetAsync(v, ct)));
        return TypedResults.Ok(views.Select((v, i) => ConnectorResponse.From(v, measured[i])).ToArray());
    }

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> GetAsync(long id, ConnectorService connectors, TableStatistics statistics, CancellationToken ct) =>
        await connectors.GetAsync(id, ct) is { } view ? TypedResults.Ok(ConnectorResponse.From(view, await statistics.GetAsync(view, ct))) : Problems.ConnectorNotFound(id);

    private static async Task<Results<Created<ConnectorResponse>, ValidationProblem>> CreateAsync(ConnectorRequest request, ConnectorService connectors, CancellationToken ct)
    {
        var (definition, errors) = ConnectorValidator.Validate(request);
        if (definition is null)
        {
            return Problems.Validation(errors, title: InvalidConnector);
        }

        var created = await connectors.CreateAsync(definition, ct, paused: request.Paused == true);
        return created.Value is { } view
            ? TypedResults.Created($"/api/connectors/{view.Connector.Id}", ConnectorResponse.From(view))
            : Problems.Validation(created.Errors!, title: InvalidConnector);
    }

    private static async Task<Results<Ok<ConnectorResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(long id, ConnectorRequest request, ConnectorService connectors, CancellationToken ct)
    {
        if (await connectors.GetAsync(id, ct) is not { } current)
        {
            return Problems.ConnectorNotFound(id);
        }

        return await ReplaceAsync(id, request, current.Connector.Definition.Name, connectors, ct);
    }

    /// <summary>
    /// The stored connector as a request (passwords masked, which an update keeps for the same endpoint), the patch merged into
    /// it, then the update PUT makes: one set of rules.
    /// </summary>
    private static async Task<Results<Ok<ConnectorResponse>, ValidationProblem, ProblemHttpResult>> PatchAsync(
        long id, HttpRequest http, ConnectorService connectors, IOptions<JsonOptions> json, CancellationToken ct)
    {
        // A body of another content type never gets here: routing answers 415 (the endpoint accepts JSON only).
        JsonNode? patch;
        try
        {
            patch = await JsonNode.ParseAsync(http.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = ["The body is not valid JSON."] });
        }

        if (patch is not JsonObject)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = ["A merge patch is a JSON object of the fields to change, e.g. {\"intervalSeconds\": 120}."] });
        }

        if (await connectors.GetAsync(id, ct) is not { } current)
        {
            return Problems.ConnectorNotFound(id);
        }

        var options = json.Value.SerializerOptions;
        var merged = JsonMergePatch.Apply(JsonSerializer.SerializeToNode(ConnectorRequestOf(ConnectorResponse.From(current)), options), patch);
        ConnectorRequest? request;
        try
        {
            request = merged.Deserialize<ConnectorRequest>(options);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.TrimStart('$', '.');
            return Problems.Validation(new Dictionary<string, string[]> { [field] = ["The value has the wrong type or format."] }, title: InvalidConnector);
        }

        return await ReplaceAsync(id, request, current.Connector.Definition.Name, connectors, ct);
    }

    private static ConnectorRequest ConnectorRequestOf(ConnectorResponse r) =>
        new(r.Name, r.Source, r.Destination, r.Mode, r.CursorField, r.IntervalSeconds, r.BatchSize, r.Mapping, r.Table,
            SettleSeconds: r.SettleSeconds, VerifyIntervalSeconds: r.VerifyIntervalSeconds, OnHistoryLost: r.OnHistoryLost);

    private static async Task<Results<Ok<ConnectorResponse>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        long id, ConnectorRequest? request, string storedName, ConnectorService connectors, CancellationToken ct)
    {
        var (definition, errors) = ConnectorValidator.Validate(request, storedName);
        if (definition is null)
        {
            return Problems.Validation(errors, title: InvalidConnector);
        }

        var updated = await connectors.UpdateAsync(id, definition, ct);
        return updated.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(ConnectorResponse.From(updated.Value!)),
            Outcome.NotFound => Problems.ConnectorNotFound(id),
            Outcome.Conflict => TypedResults.Problem(
                title: "This mapping change needs a new table.",
                detail: updated.Detail,
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["resync"] = $"/api/connectors/{id}/resync" }),
            _ => Problems.Validation(updated.Errors!, title: InvalidConnector),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, ConnectorService connectors, TableStatistics statistics, CancellationToken ct)
    {
        statistics.Forget(id);
        return await connectors.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.ConnectorNotFound(id);
    }

    private static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> SyncAsync(long id, ConnectorService connectors, CancellationToken ct) =>
        Started(id, await connectors.SyncNowAsync(id, ct));

    private static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> ResyncAsync(long id, ConnectorService connectors, CancellationToken ct) =>
        Started(id, await connectors.ResyncAsync(id, ct));

    private static Results<Accepted<RunResponse>, ProblemHttpResult> Started(long id, UseCaseResult<Domain.RunRecord> started) => started.Outcome switch
    {
        Outcome.Ok => TypedResults.Accepted($"/api/runs/{started.Value!.Id}", RunResponse.From(started.Value)),
        Outcome.NotFound => Problems.ConnectorNotFound(id),
        Outcome.Unreadable => Problems.CredentialsUnreadable(started.Detail),
        _ => TypedResults.Problem(
            title: "A sync is already running.",
            detail: $"{started.Detail}; wait for the run to finish (GET /api/connectors/{id}/runs) and try again.",
            statusCode: StatusCodes.Status409Conflict),
    };

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> ResetAsync(long id, ConnectorService connectors, CancellationToken ct)
    {
        var reset = await connectors.ResetAsync(id, ct);
        return reset.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(ConnectorResponse.From(reset.Value!)),
            Outcome.NotFound => Problems.ConnectorNotFound(id),
            _ => TypedResults.Problem(title: "The connector is running elsewhere.", detail: reset.Detail + ".", statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> PauseAsync(long id, ConnectorService connectors, CancellationToken ct) =>
        await connectors.PauseAsync(id, ct) is { } view ? TypedResults.Ok(ConnectorResponse.From(view)) : Problems.ConnectorNotFound(id);

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> ResumeAsync(long id, ConnectorService connectors, CancellationToken ct) =>
        await connectors.ResumeAsync(id, ct) is { } view ? TypedResults.Ok(ConnectorResponse.From(view)) : Problems.ConnectorNotFound(id);

    private static async Task<Results<Ok<ConnectionTestResponse>, ValidationProblem>> TestAsync(ConnectionTestRequest request, ConnectorService connectors, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        ConnectorValidator.ValidateEnds(request?.Source, request?.Destination, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors, title: "The connection settings are not valid.");
        }

        var (source, destination) = (request!.Source, request.Destination);
        var tested = await connectors.TestAsync(
            new SourceSpec(source.Uri.Trim(), source.Database.Trim(), source.Collection.Trim(), source.Filter, source.Projection),
            new DestinationSpec(destination.Uri.Trim(), destination.Database.Trim(), destination.Table.Trim()),
            request.ConnectorId,
            ct,
            request.Mode,
            string.IsNullOrWhiteSpace(request.CursorField) ? null : request.CursorField.Trim());
        return tested.Value is { } result ? TypedResults.Ok(ConnectionTestResponse.From(result)) : Problems.Validation(tested.Errors!);
    }

    private static async Task<Results<Ok<ConnectionTestResponse>, ProblemHttpResult>> TestSavedAsync(long id, ConnectorService connectors, CancellationToken ct) =>
        await connectors.TestSavedAsync(id, ct) is { } result ? TypedResults.Ok(ConnectionTestResponse.From(result)) : Problems.ConnectorNotFound(id);

    private const int DefaultSample = 5000;
    private const int MaxSample = 20_000;

    private static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewAsync(long id, ConnectorService connectors, CancellationToken ct, int sample = DefaultSample)
    {
        if (SampleOutOfRange(sample) is { } invalid)
        {
            return invalid;
        }

        var preview = await connectors.PreviewAsync(id, sample, ct);
        return preview.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(PreviewResponse.From(preview.Value!)),
            Outcome.NotFound => Problems.ConnectorNotFound(id),
            Outcome.Unreadable => Problems.CredentialsUnreadable(preview.Detail),
            _ => Problems.SampleFailed(preview, " Check the source with POST /api/connectors/" + id + "/test."),
        };
    }

    private static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewDraftAsync(PreviewRequest request, ConnectorService connectors, CancellationToken ct, int sample = DefaultSample)
    {
        if (SampleOutOfRange(sample) is { } invalid)
        {
            return invalid;
        }

        // A draft needs no name yet (nothing is stored), nor "paused" (nothing runs).
        var draft = request?.Connector is { } c ? c with { Name = string.IsNullOrWhiteSpace(c.Name) ? "preview" : c.Name, Paused = null } : null;
        var (definition, errors) = ConnectorValidator.Validate(draft);
        if (definition is null)
        {
            return Problems.Validation(errors.ToDictionary(e => e.Key == "body" ? "connector" : "connector." + e.Key, e => e.Value), title: InvalidConnector);
        }

        var preview = await connectors.PreviewDraftAsync(definition, request!.ConnectorId, sample, ct);
        return preview.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(PreviewResponse.From(preview.Value!)),
            Outcome.Invalid => Problems.Validation(preview.Errors!),
            Outcome.Unreadable => Problems.CredentialsUnreadable(preview.Detail),
            _ => Problems.SampleFailed(preview, " Check the source with POST /api/connectors/test."),
        };
    }

    private static ValidationProblem? SampleOutOfRange(int sample) => sample is < 1 or > MaxSample
        ? Problems.Validation(new Dictionary<string, string[]> { ["sample"] = [$"The sample size must be between 1 and {MaxSample} (got {sample})."] })
        : null;

    private const string InvalidConnector = "The connector is not valid.";
}

internal static class Problems
{
    /// <summary>A 400 naming each bad field in <c>errors</c>, with a <c>detail</c> that repeats them for a person reading one line.</summary>
    public static ValidationProblem Validation(IReadOnlyDictionary<string, string[]> errors, string title = "The request is not valid.") =>
        TypedResults.ValidationProblem(errors, detail: Detail(errors), title: title);

    public static string Detail(IReadOnlyDictionary<string, string[]> errors) =>
        "Fix " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    /// <summary>The 400 for a <c>limit</c> query value outside 1..<paramref name="max"/>, or null when it is inside.</summary>
    public static ValidationProblem? LimitOutOfRange(int limit, int max) => limit < 1 || limit > max
        ? Validation(new Dictionary<string, string[]> { ["limit"] = [$"The limit must be between 1 and {max} (got {limit})."] })
        : null;

    /// <summary>The 502 of a preview whose sample failed: the short line as the detail, the drivers' text as <c>errorDetail</c>.</summary>
    public static ProblemHttpResult SampleFailed<T>(UseCaseResult<T> failed, string advice)
    {
        ArgumentNullException.ThrowIfNull(failed);
        return TypedResults.Problem(
            title: "Could not sample the collection.",
            detail: failed.Detail + advice,
            statusCode: StatusCodes.Status502BadGateway,
            extensions: failed.ErrorDetail is null ? null : new Dictionary<string, object?> { ["errorDetail"] = failed.ErrorDetail });
    }

    public static ProblemHttpResult ConnectorNotFound(long id) => TypedResults.Problem(
        title: "Connector not found.",
        detail: $"There is no connector with id {id}; GET /api/connectors lists them.",
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>A 409: the connector's secrets cannot be decrypted, so nothing that needs them can be done until they are entered again.</summary>
    public static ProblemHttpResult CredentialsUnreadable(string? detail) => TypedResults.Problem(
        title: "Credentials unreadable: enter the password again.",
        detail: detail + " Edit the connector and type its passwords (PUT /api/connectors/{id}).",
        statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult RunNotFound(long id) => TypedResults.Problem(
        title: "Run not found.",
        detail: $"There is no run with id {id}; old runs are pruned (retention.max_runs_per_connector).",
        statusCode: StatusCodes.Status404NotFound);
}
