using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;

namespace Zenith.Service.Api;

public static partial class ApiExtensions
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
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Detail ??= DefaultDetail(c.ProblemDetails.Status, c.HttpContext.Request));
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddZenithOpenApi();
        return services;
    }

    /// <summary>What to do about a status the framework answers by itself (no endpoint, wrong method, not JSON).</summary>
    private static string? DefaultDetail(int? status, HttpRequest request) => status switch
    {
        // Routes take ids as numbers only: a word where an id goes is no missing endpoint but a wrong id.
        StatusCodes.Status404NotFound when NotAnId().Match(request.Path.Value ?? string.Empty) is { Success: true } word =>
            $"The connector id must be a whole number, as GET /api/connectors lists them (got \"{Uri.UnescapeDataString(word.Groups["id"].Value)}\").",
        StatusCodes.Status404NotFound => "No such endpoint; see /docs.",
        StatusCodes.Status405MethodNotAllowed => "This endpoint does not take that HTTP method; see /docs for the methods it takes.",
        StatusCodes.Status415UnsupportedMediaType when HttpMethods.IsPatch(request.Method) =>
            $"Send a JSON merge patch with the header 'Content-Type: {ConnectorsApi.MergePatchContentType}' (or application/json).",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with the header 'Content-Type: application/json'.",
        _ => null,
    };

    [GeneratedRegex(@"^/api/connectors/(?<id>(?!\d+(/|$))(?!(test|preview)/?$)[^/]+)(/|$)", RegexOptions.CultureInvariant)]
    private static partial Regex NotAnId();

    /// <summary>Turns unreadable request bodies and query values into problem details that name the field.</summary>
    private sealed partial class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            var (field, message) = bad.InnerException is JsonException json
                ? Describe(json)
                : Describe(bad);
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

        /// <summary>The framework's messages name the C# parameter; a client needs the query field or "body".</summary>
        private static (string Field, string Message) Describe(BadHttpRequestException bad)
        {
            if (BindFailure().Match(bad.Message) is { Success: true } m)
            {
                return (m.Groups["name"].Value, $"\"{m.Groups["value"].Value}\" is not a valid {Describe(m.Groups["type"].Value)}.");
            }

            return bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
                ? ("body", "A JSON body is required (Content-Type: application/json).")
                : ("request", bad.Message);
        }

        private static string Describe(string type) => type switch
        {
            "int" or "long" or "Nullable<int>" or "Nullable<long>" => "whole number in range",
            _ => "value",
        };

        [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.$""", RegexOptions.CultureInvariant)]
        private static partial Regex BindFailure();

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
