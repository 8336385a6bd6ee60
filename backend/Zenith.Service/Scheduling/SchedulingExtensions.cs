using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;

namespace Zenith.Service.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>The scheduler loop, the run coordinator and the policy they ask.</summary>
    public static IServiceCollection AddScheduler(this IServiceCollection services)
    {
        services.AddSingleton(sp => new SchedulePolicy(sp.GetRequiredService<IOptions<ZenithOptions>>().Value.Alerting.FailureThreshold));
        services.AddSingleton<SchedulerSignal>();
        services.AddSingleton<SyncHistory>();
        services.AddSingleton<RunCoordinator>();
        services.AddSingleton<ConnectorScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectorScheduler>());
        return services;
    }
}
