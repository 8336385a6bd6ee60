using System.Text;
using MongoDB.Bson;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// incremental_timestamp: the position is a <see cref="TimestampCursor"/>, one part per phase (documents without a cursor value,
/// by <c>_id</c>; then (value, <c>_id</c>)). A batch contributes its last document of each kind; the cursor sorts documents
/// without a value first, so at most one batch of a run holds both kinds and the others cost one or two field lookups.
/// </summary>
internal sealed class TimestampCheckpointTracker(string cursorField, TimestampCursor start) : ICheckpointTracker
{
    private readonly byte[] fieldBytes = Encoding.UTF8.GetBytes(cursorField);
    private TimestampCursor cursor = start;
    private Checkpoint? current;
    private bool moved;

    public Checkpoint? Current => moved ? current ??= cursor.ToCheckpoint(cursorField) : null;

    public BatchPosition? Capture(RawDocumentBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return null;
        }

        var last = batch.Last;
        if (!TimestampCursor.HasValue(last, fieldBytes))
        {
            return new TimestampPosition(IdOf(last), null, null);
        }

        ReadOnlySpan<byte> lastWithout = default;
        var reader = new RawDocumentReader(batch.Documents);
        while (reader.MoveNext() && reader.Offset < batch.LastOffset && !TimestampCursor.HasValue(reader.Current, fieldBytes))
        {
            lastWithout = reader.Current;
        }

        var nullId = lastWithout.IsEmpty ? null : IdOf(lastWithout);
        return new TimestampPosition(nullId, RawFields.Get(last, fieldBytes) ?? BsonNull.Value, IdOf(last));
    }

    public bool Advance(BatchPosition? position)
    {
        if (position is not TimestampPosition p)
        {
            return false;
        }

        cursor = cursor.Advance(p.NullId, p.Value, p.Id);
        (moved, current) = (true, null);
        return true;
    }

    public Checkpoint? Complete() => null;

    private static BsonValue IdOf(ReadOnlySpan<byte> document) => RawFields.Get(document, "_id"u8) ?? BsonNull.Value;

    /// <param name="NullId">The batch's last document without a cursor value (its <c>_id</c>), or null.</param>
    /// <param name="Value">The cursor value of its last document with one, or null.</param>
    /// <param name="Id">That document's <c>_id</c>.</param>
    private sealed record TimestampPosition(BsonValue? NullId, BsonValue? Value, BsonValue? Id) : BatchPosition;
}
