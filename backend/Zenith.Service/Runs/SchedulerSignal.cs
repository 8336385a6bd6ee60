using System.Threading.Channels;

namespace Zenith.Service.Runs;

/// <summary>Wakes the scheduler early (connector created, resumed, run finished); many wakes before it looks count as one.</summary>
public sealed class SchedulerSignal
{
    private readonly Channel<bool> channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => channel.Writer.TryWrite(true);

    /// <summary>Returns after <paramref name="delay"/> (measured by <paramref name="time"/>) or at the next wake, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = channel.Reader.WaitToReadAsync(cts.Token).AsTask();
        var elapsed = Task.Delay(delay, time, cts.Token);
        await Task.WhenAny(woken, elapsed);
        await cts.CancelAsync();
        channel.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
