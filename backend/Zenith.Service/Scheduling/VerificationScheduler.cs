using Microsoft.Extensions.Options;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;

namespace Zenith.Service.Scheduling;

/// <summary>
/// The verification loop: every pass starts the verification of each active connector whose <c>verifyIntervalSeconds</c> has
/// passed since its last one started, and keeps the gauges' connector names current; its first pass loads the gauges from SQLite.
/// Shutdown cancels running verifications.
/// </summary>
public sealed class VerificationScheduler(
    VerificationStore store,
    ConnectorStore connectors,
    VerificationCoordinator coordinator,
    VerificationStates states,
    TimeProvider time,
    IOptions<ZenithOptions> options) : BackgroundService
{
    /// <summary>How often the loop looks; intervals are at least a minute.</summary>
    public static readonly TimeSpan PassEvery = TimeSpan.FromSeconds(15);

    private long passes;

    /// <summary>Passes completed since start (tests wait for one after moving the clock).</summary>
    public long Passes => Interlocked.Read(ref passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var summaries = await connectors.ListSummariesAsync(stoppingToken);
            var names = summaries.ToDictionary(s => s.Id, s => s.Name);
            foreach (var latest in await store.LatestAsync(finishedOnly: true, stoppingToken))
            {
                if (names.TryGetValue(latest.ConnectorId, out var name))
                {
                    states.Set(name, latest);
                }
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await PassAsync(stoppingToken);
                Interlocked.Increment(ref passes);
                await Task.Delay(PassEvery, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await coordinator.StopAllAsync(cancellationToken);
    }

    private async Task PassAsync(CancellationToken ct)
    {
        var summaries = await connectors.ListSummariesAsync(ct);
        states.Retain(summaries.ToDictionary(s => s.Id, s => s.Name));
        var latest = (await store.LatestAsync(finishedOnly: false, ct)).ToDictionary(v => v.ConnectorId);
        var now = time.GetUtcNow();
        foreach (var (id, status, interval) in await store.VerifyIntervalsAsync(ct))
        {
            if (!coordinator.IsRunning(id) && VerificationPolicy.IsDue(interval, status, latest.GetValueOrDefault(id)?.StartedAt, now))
            {
                await coordinator.TryStartAsync(id, VerificationTrigger.Schedule, options.Value.Verification.SampleSize, ct);
            }
        }
    }
}
