using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Zenith.Service.Api;

public static class ApiExtensions
{
    public const string BearerScheme = "bearer";

    /// <summary>camelCase JSON with snake_case enum strings, problem details, and the OpenAPI document.</summary>
    public static IServiceCollection AddZenithApi(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Numbers are numbers: no quoted digits accepted, so the document says "integer" and clients agree.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        });
        // Bad JSON reaches our handler as an exception, so it can name the field in a problem document.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Zenith API",
                    Version = "v1",
                    Description = "Zenith copies MongoDB collections into ClickHouse tables on a schedule. "
                        + "Send the API key as 'Authorization: Bearer <key>' when one is configured.",
                };
                document.Servers?.Clear();
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = BearerScheme,
                    Description = "The API key (auth.api_key / ZENITH_auth__api_key).",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    operation.Responses ??= [];
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "The API key is missing or wrong." });
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the docs page for people at <c>/docs</c>.</summary>
    public static IEndpointRouteBuilder MapZenithDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Zenith API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }

    /// <summary>Turns unreadable request bodies and query values into problem details that name the field.</summary>
    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            var (field, message) = bad.InnerException is JsonException json
                ? Describe(json)
                : ("request", bad.Message);
            httpContext.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
                {
                    Title = "The request is not valid.",
                    Detail = $"{field}: {message}",
                    Status = bad.StatusCode,
                },
                Exception = exception,
            });
        }

        private static (string Field, string Message) Describe(JsonException json)
        {
            var field = json.Path is null or "$" ? "body" : json.Path.TrimStart('$', '.');
            var message = field switch
            {
                "mode" => "Unknown mode: use incremental_id, incremental_timestamp or full.",
                "body" => "The body is not valid JSON.",
                _ => "The value has the wrong type or format.",
            };
            return (field, message);
        }
    }
}
