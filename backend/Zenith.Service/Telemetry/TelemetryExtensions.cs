using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Zenith.Service.Configuration;

namespace Zenith.Service.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>The one holder of Zenith's instruments (recording needs no exporter: the CLI records into nothing).</summary>
    public static IServiceCollection AddZenithMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ZenithMetrics>();
        return services;
    }

    /// <summary>The host's export: the Zenith meter plus .NET runtime and ASP.NET Core metrics, for Prometheus.</summary>
    public static IServiceCollection AddZenithTelemetry(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("zenith"))
            .WithMetrics(metrics => metrics
                .AddMeter(ZenithMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        return services;
    }

    /// <summary><c>/metrics</c>, open unless <c>auth.protect_metrics</c> is set (and a key exists).</summary>
    public static IEndpointRouteBuilder MapZenithMetrics(this IEndpointRouteBuilder endpoints, ZenithOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        var scrape = endpoints.MapPrometheusScrapingEndpoint("/metrics");
        if (options.Auth.ProtectMetrics && options.Auth.HasApiKey)
        {
            scrape.RequireAuthorization();
        }

        return endpoints;
    }
}
