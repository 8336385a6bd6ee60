using System.Globalization;
using Zenith.Service.Metadata;

namespace Zenith.Service.Runs;

/// <summary>
/// A connector's lease, held by one run of this process: taken before the run, renewed while it goes (a third of the lease's
/// life), released after it. <see cref="Token"/> is cancelled when a renewal finds the lease gone (it expired and another process
/// took it), so the run stops between batches rather than run twice at once.
/// </summary>
internal sealed class RunLease : IAsyncDisposable
{
    private readonly LeaseStore store;
    private readonly long connectorId;
    private readonly string holder;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource held;
    private readonly CancellationTokenSource done = new();
    private readonly Task<bool> renewal;

    private RunLease(LeaseStore store, long connectorId, string holder, TimeProvider time, CancellationToken run)
    {
        (this.store, this.connectorId, this.holder, this.time) = (store, connectorId, holder, time);
        held = CancellationTokenSource.CreateLinkedTokenSource(run);
        renewal = RenewAsync();
    }

    /// <summary>The run's token: the caller's cancellation, or the lease lost.</summary>
    public CancellationToken Token => held.Token;

    /// <summary>
    /// The lease, or (null, who holds it) when another process does. A holder that was a process of this machine and no longer
    /// runs (killed, crashed) loses it at once instead of when it expires.
    /// </summary>
    public static async Task<(RunLease? Lease, LeaseHolder? Other)> TakeAsync(LeaseStore store, long connectorId, string holder, TimeProvider time, CancellationToken run)
    {
        var other = await LeaseHolders.TakeOverDeadAsync(store, connectorId, holder, CancellationToken.None);
        return other is null ? (new RunLease(store, connectorId, holder, time, run), null) : (null, other);
    }

    /// <summary>What another runner is told, in one line.</summary>
    public static string Busy(string connector, LeaseHolder other) =>
        string.Create(CultureInfo.InvariantCulture, $"Connector {connector} is being run by another Zenith process ({other.Holder}), whose lease holds until {other.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ") +
        "unless it renews it: this run did not start. Let that run finish (or use --api to go through the service), then try again.";

    /// <summary>Stops renewing and releases the lease; false when it had been lost meanwhile.</summary>
    public async Task<bool> EndAsync()
    {
        await done.CancelAsync();
        var kept = await renewal;
        await store.ReleaseAsync(connectorId, holder, CancellationToken.None);
        return kept;
    }

    public async ValueTask DisposeAsync()
    {
        if (!done.IsCancellationRequested)
        {
            await EndAsync();
        }

        held.Dispose();
        done.Dispose();
    }

    private async Task<bool> RenewAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseStore.Duration / 3, time, done.Token);
                if (!await store.RenewAsync(connectorId, holder, done.Token))
                {
                    await held.CancelAsync();
                    return false;
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            return true;
        }
    }
}
