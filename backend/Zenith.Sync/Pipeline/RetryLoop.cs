using Zenith.Core.Connectors;
using Zenith.Core.Retries;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// Runs a ClickHouse call again after a transient error, as the pure <see cref="RetryPolicy"/> decides: the loop only performs
/// (waits on the <see cref="TimeProvider"/>, tells the observer). Which errors are transient is the adapter's knowledge.
/// </summary>
internal sealed class RetryLoop(RetryPolicy policy, Func<Exception, bool> isTransient, TimeProvider time, ISyncObserver observer, Func<double>? random = null)
{
    private readonly Func<double> random = random ?? Random.Shared.NextDouble;

    /// <summary>A call that answers something (a read of the catalog), retried the same way.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(action);
        var result = default(T)!;
        await RunAsync(async c => { result = await action(c); }, ct);
        return result;
    }

    public async Task RunAsync(Func<CancellationToken, Task> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action(ct);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var decision = policy.Decide(attempt, isTransient(ex), random());
                if (!decision.Retry)
                {
                    throw;
                }

                observer.Note($"ClickHouse: {ex.GetType().Name}; {decision.Reason}");
                await Task.Delay(decision.Delay, time, ct);
            }
        }
    }
}
