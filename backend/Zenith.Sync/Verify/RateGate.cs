using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>Waits, on the engine's clock, so MongoDB is read at most at the verification's documents-per-second cap.</summary>
internal sealed class RateGate(int perSecond, TimeProvider time)
{
    private readonly TokenBucket _bucket = new(perSecond, Seconds(time));
    private readonly Lock _gate = new();

    public async Task TakeAsync(int documents, CancellationToken ct)
    {
        double wait;
        lock (_gate)
        {
            wait = _bucket.Take(documents, Seconds(time));
        }

        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait), time, ct);
        }
    }

    private static double Seconds(TimeProvider time) => time.GetTimestamp() / (double)time.TimestampFrequency;
}
