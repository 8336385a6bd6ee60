using Microsoft.Extensions.Options;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Verify;
using Zenith.Service.Configuration;
using Zenith.Service.Connectors;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;
using Zenith.Service.Scheduling;
using Zenith.Service.Telemetry;
using Zenith.Sync;
using Zenith.Sync.Verify;

namespace Zenith.Service;

/// <summary>The services the host and the CLI's local mode share, composed the same way for both.</summary>
public static class ZenithServices
{
    /// <summary>
    /// Options, the SQLite store, the engine, the metrics holder, the runs, the use cases and the scheduler. The host adds HTTP, auth and
    /// the Prometheus export on top, and starts the hosted services (migrations, the scheduler loop); the CLI starts none of them.
    /// </summary>
    public static IServiceCollection AddZenith(this IServiceCollection services, IConfiguration configuration, ZenithOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return services
            .AddZenithOptions(configuration)
            .AddMetadataStore(settings.MetadataStorage.Path)
            .AddSyncEngine()
            .AddZenithMetrics()
            .AddRuns()
            .AddConnectors()
            .AddScheduler()
            .AddVerifications();
    }

    public static IServiceCollection AddSyncEngine(this IServiceCollection services)
    {
        services.AddSingleton<ISyncEngine>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ZenithOptions>>().Value;
            return new SyncEngine(new SyncEngineOptions
            {
                LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
                AllowedHosts = HostAllowList.Parse(options.Network.AllowedHosts, out _),
                ConnectTimeout = TimeSpan.FromSeconds(options.Timeouts.ConnectSeconds),
                QueryTimeout = TimeSpan.FromSeconds(options.Timeouts.QuerySeconds),
                RunTimeout = TimeSpan.FromSeconds(options.Timeouts.RunSeconds),
                MaxBatchBytes = options.Processing.MaxBatchBytes,
                MaxDocumentBytes = options.Processing.MaxDocumentBytes,
            });
        });
        return services;
    }

    /// <summary>Verifications: the verifier, their own job runner and limit, the use cases, the gauges' state and the loop of the intervals.</summary>
    public static IServiceCollection AddVerifications(this IServiceCollection services)
    {
        services.AddSingleton<IVerifier>(sp => new Verifier(new SyncEngineOptions { LoggerFactory = sp.GetRequiredService<ILoggerFactory>(), TimeProvider = sp.GetRequiredService<TimeProvider>() }));
        services.AddSingleton<VerificationStates>();
        services.AddSingleton<IVerificationGaugeSource>(sp => sp.GetRequiredService<VerificationStates>());
        services.AddSingleton<VerificationCoordinator>();
        services.AddSingleton<VerificationService>();
        services.AddSingleton<VerificationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<VerificationScheduler>());
        return services;
    }

    /// <summary>The use cases the API, the CLI and the scheduler call.</summary>
    public static IServiceCollection AddConnectors(this IServiceCollection services)
    {
        services.AddSingleton<IndexCheck>();
        services.AddSingleton<CheckpointResets>();
        services.AddSingleton<SaveChecks>();
        services.AddSingleton<ConnectorService>();
        services.AddSingleton<TableStatistics>();
        services.AddSingleton<DestinationSchema>();
        return services;
    }
}
