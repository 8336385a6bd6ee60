using Microsoft.AspNetCore.Http.HttpResults;
using Zenith.Service.Connectors;

namespace Zenith.Service.Api;

/// <summary><c>/api/connectors/{id}/schema</c>: the ClickHouse table as it is now.</summary>
public static class SchemaApi
{
    public static IEndpointRouteBuilder MapSchemaApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/connectors/{id:long}/schema", GetAsync).WithTags("Connectors").WithName("GetConnectorSchema")
            .WithSummary("The ClickHouse table's columns, types and source paths as they are now (exists: false before the first run creates it).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway);
        return api;
    }

    private static async Task<Results<Ok<SchemaResponse>, ProblemHttpResult>> GetAsync(long id, DestinationSchema schema, CancellationToken ct)
    {
        var described = await schema.DescribeAsync(id, ct);
        return described.Outcome switch
        {
            Outcome.Ok => TypedResults.Ok(SchemaResponse.From(described.Value)),
            Outcome.NotFound => Problems.ConnectorNotFound(id),
            _ => TypedResults.Problem(
                title: "Could not read the ClickHouse table.",
                detail: described.Detail,
                statusCode: StatusCodes.Status502BadGateway,
                extensions: described.ErrorDetail is null ? null : new Dictionary<string, object?> { ["errorDetail"] = described.ErrorDetail }),
        };
    }
}

/// <param name="SourcePath">The document path the column comes from (dotted); empty for Zenith's own columns.</param>
public sealed record SchemaColumnDto(string Name, string Type, string SourcePath);

/// <param name="Exists">False before the first run creates the table (then no columns).</param>
public sealed record SchemaResponse(bool Exists, IReadOnlyList<SchemaColumnDto> Columns)
{
    public static SchemaResponse From(Zenith.Core.Connectors.DestinationTableInfo? table) =>
        table is null ? new(false, []) : new(true, [.. table.Columns.Select(c => new SchemaColumnDto(c.Name, c.Type, c.SourcePath))]);
}
