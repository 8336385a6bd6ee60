using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Metadata;
using Zenith.Service.Scheduling;
using Zenith.Service.Domain;

namespace Zenith.Service.Api;

/// <summary>The services the connector endpoints use, bound from DI in one parameter.</summary>
public sealed record ConnectorApiServices(
    ConnectorStore Store,
    RunStore Runs,
    CheckpointStore Checkpoints,
    RunCoordinator Coordinator,
    SchedulerSignal Signal,
    SyncHistory History,
    ISyncEngine Engine,
    IOptions<ZenithOptions> Options)
{
    public async Task<ConnectorResponse> ViewAsync(StoredConnector connector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var latest = await Runs.ListAsync(connector.Id, 1, cancellationToken);
        var checkpoint = await Checkpoints.LoadAsync(connector.Id, cancellationToken);
        return ConnectorResponse.From(connector, Coordinator.IsRunning(connector.Id), latest.Count > 0 ? latest[0] : null, checkpoint?.Display, Options.Value.Processing.BatchSize);
    }
}

/// <summary><c>/api/connectors</c>: CRUD, sync now, pause/resume, connection test and mapping preview.</summary>
public static class ConnectorsApi
{
    public static RouteGroupBuilder MapConnectorsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/connectors").WithTags("Connectors");
        group.MapGet("/", ListAsync).WithName("ListConnectors").WithSummary("All connectors with their status and latest run.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetConnector").WithSummary("One connector.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateConnector").WithSummary("Creates a connector; it starts active and runs at once.")
            .ProducesValidationProblem();
        group.MapPut("/{id:long}", UpdateAsync).WithName("UpdateConnector").WithSummary("Replaces a connector's definition; a masked or missing password keeps the stored one.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteConnector").WithSummary("Stops a running sync and deletes the connector; the ClickHouse table stays.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/sync", SyncAsync).WithName("SyncConnector").WithSummary("Starts a run now (409 if one is running).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/pause", PauseAsync).WithName("PauseConnector").WithSummary("Stops scheduling the connector and cancels its running sync between batches.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/resume", ResumeAsync).WithName("ResumeConnector").WithSummary("Schedules the connector again; from error, also resets the failure count.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/test", TestAsync).WithName("TestConnection").WithSummary("Tests both ends of a connector before saving it.")
            .ProducesValidationProblem();
        group.MapPost("/{id:long}/test", TestSavedAsync).WithName("TestConnector").WithSummary("Tests both ends of a saved connector.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/preview", PreviewAsync).WithName("PreviewConnector").WithSummary("The ClickHouse columns a sample of the collection maps to.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway);
        return group;
    }

    private static async Task<Ok<ConnectorResponse[]>> ListAsync([AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        var connectors = await s.Store.ListAsync(ct);
        var latest = await s.Runs.LatestAsync(ct);
        var checkpoints = await s.Checkpoints.DisplayAllAsync(ct);
        return TypedResults.Ok(connectors
            .Select(c => ConnectorResponse.From(c, s.Coordinator.IsRunning(c.Id), latest.GetValueOrDefault(c.Id), checkpoints.GetValueOrDefault(c.Id), s.Options.Value.Processing.BatchSize))
            .ToArray());
    }

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> GetAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct) =>
        await s.Store.GetAsync(id, ct) is { } c ? TypedResults.Ok(await s.ViewAsync(c, ct)) : Problems.ConnectorNotFound(id);

    private static async Task<Results<Created<ConnectorResponse>, ValidationProblem>> CreateAsync(ConnectorRequest request, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        var (definition, errors) = ConnectorValidator.Validate(request);
        if (definition is null)
        {
            return Problems.Validation(errors, title: "The connector is not valid.");
        }

        try
        {
            var created = await s.Store.CreateAsync(definition, ct);
            s.History.Event(LogSeverity.Info, created.Id, $"Connector {created.Definition.Name} created.");
            s.Signal.Wake();
            return TypedResults.Created($"/api/connectors/{created.Id}", await s.ViewAsync(created, ct));
        }
        catch (DuplicateConnectorNameException e)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["name"] = [e.Message] }, title: "The connector is not valid.");
        }
    }

    private static async Task<Results<Ok<ConnectorResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(long id, ConnectorRequest request, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        var (definition, errors) = ConnectorValidator.Validate(request);
        if (definition is null)
        {
            return Problems.Validation(errors, title: "The connector is not valid.");
        }

        try
        {
            var updated = await s.Store.UpdateAsync(id, definition, ct);
            if (updated is null)
            {
                return Problems.ConnectorNotFound(id);
            }

            s.History.Event(LogSeverity.Info, id, $"Connector {updated.Definition.Name} updated.");
            s.Signal.Wake();
            return TypedResults.Ok(await s.ViewAsync(updated, ct));
        }
        catch (DuplicateConnectorNameException e)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["name"] = [e.Message] }, title: "The connector is not valid.");
        }
        catch (PasswordRequiredException e)
        {
            return Problems.Validation(new Dictionary<string, string[]> { [e.End + ".uri"] = [e.Message] }, title: "The connector is not valid.");
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is null)
        {
            return Problems.ConnectorNotFound(id);
        }

        // Paused first so the scheduler does not start it again while the running sync stops.
        await s.Store.SetStatusAsync(id, ConnectorStatus.Paused, resetFailures: false, ct);
        await s.Coordinator.CancelAsync(id);
        await s.Store.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> SyncAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } connector)
        {
            return Problems.ConnectorNotFound(id);
        }

        var run = await s.Coordinator.TryStartAsync(connector, RunTrigger.Manual, ct);
        return run is null
            ? TypedResults.Problem(
                title: "A sync is already running.",
                detail: $"Connector {connector.Definition.Name} is already running; wait for the run to finish (GET /api/connectors/{id}/runs) and try again.",
                statusCode: StatusCodes.Status409Conflict)
            : TypedResults.Accepted($"/api/runs/{run.Id}", RunResponse.From(run));
    }

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> PauseAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is null)
        {
            return Problems.ConnectorNotFound(id);
        }

        await s.Store.SetStatusAsync(id, ConnectorStatus.Paused, resetFailures: false, ct);
        await s.Coordinator.CancelAsync(id);
        s.History.Event(LogSeverity.Info, id, "Connector paused.");
        return TypedResults.Ok(await s.ViewAsync((await s.Store.GetAsync(id, ct))!, ct));
    }

    private static async Task<Results<Ok<ConnectorResponse>, ProblemHttpResult>> ResumeAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } connector)
        {
            return Problems.ConnectorNotFound(id);
        }

        await s.Store.SetStatusAsync(id, ConnectorStatus.Active, resetFailures: connector.Status == ConnectorStatus.Error, ct);
        s.History.Event(LogSeverity.Info, id, "Connector resumed.");
        s.Signal.Wake();
        return TypedResults.Ok(await s.ViewAsync((await s.Store.GetAsync(id, ct))!, ct));
    }

    private static async Task<Results<Ok<ConnectionTestResponse>, ValidationProblem>> TestAsync(ConnectionTestRequest request, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        ConnectorValidator.ValidateEnds(request?.Source, request?.Destination, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors, title: "The connection settings are not valid.");
        }

        var sent = (Source: request!.Source.Uri.Trim(), Destination: request.Destination.Uri.Trim());
        var source = (Uri: sent.Source, Masked: ConnectionString.Parse(sent.Source).HasMaskedPassword);
        var destination = (Uri: sent.Destination, Masked: ConnectionString.Parse(sent.Destination).HasMaskedPassword);
        var maskMessage = "The password is masked (***): type it again, or send connectorId to test with the saved password.";
        if (request.ConnectorId is { } id)
        {
            if (await s.Store.GetAsync(id, ct) is not { } saved)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["connectorId"] = [$"There is no connector with id {id}; leave connectorId out to test a new connector."] });
            }

            // The update rule: a masked or missing password takes the saved one, only for the saved server and user.
            var sourceReuse = ConnectionString.Parse(sent.Source).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Source.Uri));
            var destinationReuse = ConnectionString.Parse(sent.Destination).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Destination.Uri));
            source = (sourceReuse.Uri, sourceReuse.Choice == PasswordChoice.MaskRefused);
            destination = (destinationReuse.Uri, destinationReuse.Choice == PasswordChoice.MaskRefused);
            maskMessage = "The password is masked (***) but the server, user or authentication options differ from the saved connector's: type the password again.";
        }

        var sourceSpec = new SourceSpec(source.Uri, request.Source.Database.Trim(), request.Source.Collection.Trim(), request.Source.Filter, request.Source.Projection);
        var destinationSpec = new DestinationSpec(destination.Uri, request.Destination.Database.Trim(), request.Destination.Table.Trim());
        // A masked end is not tested: "***" is no password, and a server it was not saved for gets no login attempt.
        var masked = new EndpointCheckDto(false, maskMessage);
        string[] uris = [source.Uri, destination.Uri];
        return TypedResults.Ok(new ConnectionTestResponse(
            source.Masked ? masked : Checked(await s.Engine.TestSourceAsync(sourceSpec, ct), uris),
            destination.Masked ? masked : Checked(await s.Engine.TestDestinationAsync(destinationSpec, ct), uris)));
    }

    private static async Task<Results<Ok<ConnectionTestResponse>, ProblemHttpResult>> TestSavedAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct)
    {
        if (await s.Store.GetAsync(id, ct) is not { } connector)
        {
            return Problems.ConnectorNotFound(id);
        }

        return TypedResults.Ok(await RunTestAsync(s.Engine, connector.Definition.Source, connector.Definition.Destination, ct));
    }

    private static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewAsync(long id, [AsParameters] ConnectorApiServices s, CancellationToken ct, int sample = 1000)
    {
        if (sample is < 1 or > 10_000)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["sample"] = [$"The sample size must be between 1 and 10000 (got {sample})."] });
        }

        if (await s.Store.GetAsync(id, ct) is not { } connector)
        {
            return Problems.ConnectorNotFound(id);
        }

        MappingPreview preview;
        try
        {
            preview = await s.Engine.PreviewAsync(connector.ToSpec(s.Options.Value.Processing.BatchSize), sample, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Problem(
                title: "Could not sample the collection.",
                detail: connector.Definition.Redact(e.Message) + " Check the source with POST /api/connectors/" + id + "/test.",
                statusCode: StatusCodes.Status502BadGateway);
        }

        await s.Store.SaveMappedColumnsAsync(id, preview.Columns.Select(c => new MappedColumn(c.Name, c.Type, c.SourcePath)).ToList(), ct);
        return TypedResults.Ok(new PreviewResponse(preview.Columns.Select(c => new PreviewColumnDto(c.Name, c.Type, c.SourcePath)).ToList(), preview.Sampled));
    }

    private static async Task<ConnectionTestResponse> RunTestAsync(ISyncEngine engine, SourceSpec source, DestinationSpec destination, CancellationToken ct)
    {
        var result = await engine.TestAsync(source, destination, ct);
        string[] uris = [source.Uri, destination.Uri];
        return new ConnectionTestResponse(Checked(result.Source, uris), Checked(result.Destination, uris));
    }

    private static EndpointCheckDto Checked(EndpointCheck check, string[] uris) => new(check.Ok, Redaction.Redact(check.Message, uris));
}

internal static class Problems
{
    /// <summary>A 400 naming each bad field in <c>errors</c>, with a <c>detail</c> that repeats them for a person reading one line.</summary>
    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string title = "The request is not valid.") =>
        TypedResults.ValidationProblem(errors, detail: Detail(errors), title: title);

    public static string Detail(IDictionary<string, string[]> errors) =>
        "Fix " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    public static ProblemHttpResult ConnectorNotFound(long id) => TypedResults.Problem(
        title: "Connector not found.",
        detail: $"There is no connector with id {id}; GET /api/connectors lists them.",
        statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult RunNotFound(long id) => TypedResults.Problem(
        title: "Run not found.",
        detail: $"There is no run with id {id}; old runs are pruned (retention.max_runs_per_connector).",
        statusCode: StatusCodes.Status404NotFound);
}
