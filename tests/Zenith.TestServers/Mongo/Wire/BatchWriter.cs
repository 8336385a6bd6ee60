namespace Zenith.TestServers.Mongo.Wire;

/// <summary>
/// Appends documents to the <c>firstBatch</c>/<c>nextBatch</c> array being written, within the
/// requested batch size and the 16 MB a batch may hold (at least one document always fits).
/// </summary>
internal sealed class BatchWriter(MessageBuffer buffer, int maxDocuments)
{
    public const int MaxBatchBytes = 16 * 1024 * 1024;

    private long _bytes;

    public int Count { get; private set; }

    public bool IsFull => Count >= maxDocuments;

    public bool TryAdd(ReadOnlySpan<byte> document)
    {
        if (Count >= maxDocuments || (Count > 0 && _bytes + document.Length > MaxBatchBytes))
        {
            return false;
        }
        buffer.WriteIndexName(0x03, Count);
        buffer.WriteBytes(document);
        _bytes += document.Length;
        Count++;
        return true;
    }
}
