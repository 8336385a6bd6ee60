using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Connectors;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Scheduling;

/// <summary>
/// The loop: looks at the connectors, starts those the policy says are due, sleeps until the next one is due
/// (or something wakes it). At start-up each connector keeps its schedule: those already due then begin within a small random
/// delay (<see cref="SchedulePolicy.StartupDelay"/>, trigger <c>startup</c>) instead of all at once; the others wait for their time.
/// </summary>
public sealed class ConnectorScheduler(
    ConnectorStore connectors,
    ConnectorService service,
    ConnectorStates states,
    SchedulePolicy policy,
    SchedulerSignal signal,
    TimeProvider time,
    IOptions<ZenithOptions> options,
    ILogger<ConnectorScheduler> logger) : BackgroundService
{
    /// <summary>Look again at least this often, so connectors added by <c>zenith connectors add</c> to the file are picked up.</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(30);

    private long passes;

    // Connectors due at start-up, and when they begin (only the loop touches it).
    private readonly Dictionary<long, DateTimeOffset> startupAt = [];

    public bool IsRunning { get; private set; }

    /// <summary>Passes completed since start: lets a caller see that the scheduler has looked again since it changed something.</summary>
    public long Passes => Interlocked.Read(ref passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.SchedulerStarted(options.Value.Processing.MaxParallelJobs);
        IsRunning = true;
        var firstPass = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan sleep;
                try
                {
                    sleep = await PassAsync(firstPass, stoppingToken);
                    firstPass = false;
                    Interlocked.Increment(ref passes);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.SchedulerPassFailed(e);
                    sleep = TimeSpan.FromSeconds(5);
                }

                await signal.WaitAsync(sleep, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            IsRunning = false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await service.StopAllAsync(cancellationToken);
    }

    /// <summary>Starts what is due; returns how long to sleep before the next pass.</summary>
    private async Task<TimeSpan> PassAsync(bool firstPass, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var next = now + MaxSleep;
        var all = await connectors.ListSummariesAsync(cancellationToken);
        states.ReplaceAll(all);
        foreach (var connector in all)
        {
            if (service.IsRunning(connector.Id))
            {
                continue;
            }

            var state = new ScheduleState(connector.Status, connector.IntervalSeconds, connector.ConsecutiveFailures, connector.LastAttemptAt, connector.CredentialsUnreadable, connector.Continuous);
            if (policy.NextRunAt(state, now) is not { } due)
            {
                startupAt.Remove(connector.Id);
                continue;
            }

            if (firstPass && due <= now)
            {
                startupAt[connector.Id] = now + SchedulePolicy.StartupDelay(connector.IntervalSeconds, Random.Shared.NextDouble());
            }

            var (startAt, trigger) = startupAt.TryGetValue(connector.Id, out var at) ? (at, RunTrigger.Startup) : (due, RunTrigger.Schedule);
            if (startAt <= now)
            {
                startupAt.Remove(connector.Id);
                await service.StartScheduledAsync(connector.Id, trigger, cancellationToken);
            }
            else if (startAt < next)
            {
                next = startAt;
            }
        }

        return next - now;
    }
}
