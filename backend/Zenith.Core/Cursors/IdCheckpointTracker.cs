using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>incremental_id: the run reads by <c>_id</c>, so a batch's position is its last document's <c>_id</c>.</summary>
internal sealed class IdCheckpointTracker : ICheckpointTracker
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    private BsonValue? last;
    private Checkpoint? current;

    public Checkpoint? Current => current ??= last is null ? null : Checkpoint(last);

    public BatchPosition? Capture(RawDocumentBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Count == 0 ? null : new IdPosition(RawFields.Get(batch.Last, "_id"u8) ?? BsonNull.Value);
    }

    public bool Advance(BatchPosition? position)
    {
        if (position is not IdPosition id)
        {
            return false;
        }

        (last, current) = (id.Id, null);
        return true;
    }

    public Checkpoint? Complete() => null;

    /// <summary>The checkpoint <c>{_id: value}</c>: the next run reads <c>_id &gt; value</c>.</summary>
    public static Checkpoint Checkpoint(BsonValue id) => new(new BsonDocument("_id", id).ToJson(Canonical), "_id > " + id.ToJson(Relaxed));

    private sealed record IdPosition(BsonValue Id) : BatchPosition;
}
