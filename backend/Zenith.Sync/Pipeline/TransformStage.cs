using System.Buffers;
using System.Collections.Concurrent;
using Zenith.Core.Buffers;
using Zenith.Core.Cursors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The transform stage, run by several workers at once: a batch's documents become RowBinary rows for the table's schema as
/// it is now, and its checkpoint position is captured while its documents are at hand. Encoders are pooled, one per worker.
/// </summary>
internal sealed class TransformStage(
    Core.Connectors.MappingOptions mapping,
    DestinationTable table,
    ICheckpointTracker tracker,
    Func<long, UInt128> versions,
    InFlightBudget budget,
    ArrayPool<byte> pool,
    TimeProvider time) : IDisposable
{
    private readonly ConcurrentBag<RowEncoder> _encoders = [];

    public EncodedBatch Transform(DocumentBatch documents)
    {
        var encoded = new EncodedBatch(documents);
        try
        {
            encoded.Position = tracker.Capture(documents.Documents);
            Encode(encoded, table.Schema);
            return encoded;
        }
        catch
        {
            encoded.Dispose();
            throw;
        }
    }

    /// <summary>(Re)encodes the batch's documents for <paramref name="schema"/>; rows made for an older schema are dropped first.</summary>
    public void Encode(EncodedBatch batch, TableSchema schema)
    {
        if (!_encoders.TryTake(out var encoder))
        {
            encoder = new RowEncoder(mapping);
        }

        try
        {
            if (batch.Rows is not null)
            {
                budget.Resize(-batch.Rows.Length);
                batch.Rows.Dispose();
            }

            // Skipped documents (too large) moved the position above; they are reported, never encoded.
            var read = batch.Documents.Documents;
            var documents = read.Written;
            batch.Failures.Clear();
            batch.Rows = new PooledBuffer(Math.Max(4096, documents.Bytes.Length), pool);
            batch.Schema = schema;
            batch.Status = encoder.Encode(
                documents.Documents, schema, time.GetUtcNow().ToUnixTimeMilliseconds(), versions(batch.Documents.Sequence), batch.Rows, batch.Failures, out var rows);
            batch.RowCount = rows;
            batch.Spilled = encoder.Spilled;
            batch.KeyMisfits = encoder.TakeKeyMisfits();
            batch.Failures.AddRange(read.Skipped.Select(s => new DocumentFailure(s.DocumentId, s.Reason)));
            budget.Resize(batch.Rows.Length);
        }
        finally
        {
            _encoders.Add(encoder);
        }
    }

    public void Dispose()
    {
        while (_encoders.TryTake(out var encoder))
        {
            encoder.Dispose();
        }
    }
}
