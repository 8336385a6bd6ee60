using Zenith.Core.Inserts;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The rows and bytes a run holds between reading and ClickHouse's acknowledgement: the reader waits here until
/// <see cref="InsertCoalescing.ReaderMayTake"/> says a batch fits. Bytes are the buffers really held: documents until their
/// batch joins an insert, rows until the insert is acknowledged. Thread-safe (reader, transform workers, insert stage).
/// </summary>
internal sealed class InFlightBudget(InsertCoalescing limits) : IDisposable
{
    private readonly SemaphoreSlim _acknowledged = new(0);
    private long _rows;
    private long _bytes;

    /// <summary>Waits until a batch of <paramref name="rows"/>/<paramref name="bytes"/> fits, then counts it in.</summary>
    public async Task TakeAsync(int rows, long bytes, CancellationToken ct)
    {
        while (!limits.ReaderMayTake(Interlocked.Read(ref _rows), Interlocked.Read(ref _bytes), rows, bytes))
        {
            await _acknowledged.WaitAsync(ct);
        }

        Interlocked.Add(ref _rows, rows);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Completes when everything taken was acknowledged (nothing read is waiting for ClickHouse).</summary>
    public async Task WhenEmptyAsync(CancellationToken ct)
    {
        while (Interlocked.Read(ref _rows) > 0)
        {
            await _acknowledged.WaitAsync(ct);
        }
    }

    /// <summary>A batch's buffers changed size (rows encoded, documents let go).</summary>
    public void Resize(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>An insert was acknowledged: its rows and their buffers leave the budget, and a waiting reader looks again.</summary>
    public void Release(long rows, long bytes)
    {
        Interlocked.Add(ref _rows, -rows);
        Interlocked.Add(ref _bytes, -bytes);
        if (_acknowledged.CurrentCount == 0)
        {
            _acknowledged.Release();
        }
    }

    public void Dispose() => _acknowledged.Dispose();
}
