namespace Zenith.Service.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>The scheduler loop (a hosted service: it runs in the host, not in the CLI).</summary>
    public static IServiceCollection AddScheduler(this IServiceCollection services)
    {
        services.AddSingleton<ConnectorScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectorScheduler>());
        return services;
    }
}
