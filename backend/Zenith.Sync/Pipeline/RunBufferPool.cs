using System.Buffers;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The buffer pool of one run: arrays are reused while the run goes, and all of them are let go when it ends
/// (<see cref="Dispose"/>), even if something (a driver's cached reply or serializer) still holds the pool itself.
/// ArrayPool.Shared would keep a big run's arrays for the life of the process.
/// </summary>
internal sealed class RunBufferPool : ArrayPool<byte>, IDisposable
{
    private volatile ArrayPool<byte>? _arrays = Create(64 * 1024 * 1024, 16);

    public override byte[] Rent(int minimumLength) => _arrays is { } arrays ? arrays.Rent(minimumLength) : new byte[minimumLength];

    public override void Return(byte[] array, bool clearArray = false) => _arrays?.Return(array, clearArray);

    public void Dispose() => _arrays = null;
}
