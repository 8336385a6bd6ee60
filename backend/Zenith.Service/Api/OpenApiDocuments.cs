using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Zenith.Service.Configuration;

namespace Zenith.Service.Api;

/// <summary>
/// Two descriptions of one API: <c>v1</c>, the contract (committed as openapi.json, the client is generated from it), which names
/// the API key scheme as every deployment may use it; and <c>docs</c>, the page for people at <c>/docs</c>, which describes this
/// service as configured (the key scheme only when it has a key) and is rendered offline: no fonts, scripts or proxies elsewhere.
/// </summary>
public static class OpenApiDocuments
{
    public const string Contract = "v1";
    public const string Docs = "docs";

    private const string Summary = "Zenith copies MongoDB collections into ClickHouse tables on a schedule. ";

    public static IServiceCollection AddZenithOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(Contract, o => Describe(o, _ => null));
        services.AddOpenApi(Docs, o => Describe(o, sp => !string.IsNullOrEmpty(sp.GetRequiredService<IOptions<ZenithOptions>>().Value.Auth.ApiKey)));
        return services;
    }

    /// <summary>The contract at <c>/openapi/v1.json</c> and the page for people at <c>/docs</c> (from <c>/openapi/docs.json</c>).</summary>
    public static IEndpointRouteBuilder MapZenithDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o
                .WithTitle("Zenith API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddDocument(Docs, "Zenith API")
                // Only our API, only from this host: the examples use the address the page was opened at.
                .WithDynamicBaseServerUrl(true)
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp()
                .DisableTelemetry()
                .HideDeveloperTools()
                .HideClientButton())
            .AllowAnonymous();
        return app;
    }

    /// <param name="keyed">Whether the service has an API key; null for the contract, which names the scheme for any deployment.</param>
    private static void Describe(OpenApiOptions options, Func<IServiceProvider, bool?> keyed)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            var key = keyed(context.ApplicationServices);
            document.Info = new OpenApiInfo
            {
                Title = "Zenith API",
                Version = "v1",
                Description = Summary + key switch
                {
                    null => "When the service has an API key (`auth.api_key`), send it with every `/api` request as `Authorization: Bearer <key>`; "
                        + "without a key the API is open to local users and Zenith listens on loopback only.",
                    true => "This service has an API key: send it with every `/api` request as `Authorization: Bearer <key>` "
                        + "(the key is `auth.api_key` / `ZENITH_auth__api_key` in its configuration).",
                    false => "This service has no API key configured: `/api` requests need no `Authorization` header, "
                        + "and Zenith listens on loopback only. Set `auth.api_key` to require one.",
                },
            };
            // The contract names no host; the page's relative server becomes the address it was opened at (WithDynamicBaseServerUrl).
            document.Servers = key is null ? [] : [new OpenApiServer { Url = "/" }];
            if (key != false)
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiExtensions.BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = ApiExtensions.BearerScheme,
                    Description = "The API key (`auth.api_key` / `ZENITH_auth__api_key`).",
                };
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (keyed(context.ApplicationServices) != false && context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiExtensions.BearerScheme, context.Document)] = [] });
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "The API key is missing or wrong." });
            }

            return Task.CompletedTask;
        });
    }
}
