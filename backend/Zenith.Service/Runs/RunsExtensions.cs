using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Runs;

public static class RunsExtensions
{
    /// <summary>The run coordinator and what it works with: the policy it asks, the wake-up signal, the history, the in-memory states.</summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddSingleton(sp => new SchedulePolicy(sp.GetRequiredService<IOptions<ZenithOptions>>().Value.Alerting.FailureThreshold));
        services.AddSingleton<SchedulerSignal>();
        services.AddSingleton<SyncHistory>();
        services.AddSingleton(sp => new ConnectorStates(sp.GetService<TimeProvider>()));
        services.AddSingleton<IConnectorGaugeSource>(sp => sp.GetRequiredService<ConnectorStates>());
        services.AddSingleton<RunCoordinator>();
        return services;
    }
}
