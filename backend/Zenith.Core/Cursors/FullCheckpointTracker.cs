using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>full: every run reads everything, so batches move nothing; a finished run records when it started.</summary>
internal sealed class FullCheckpointTracker(DateTimeOffset runStartedAt) : ICheckpointTracker
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };

    public Checkpoint? Current => null;

    public BatchPosition? Capture(RawDocumentBuffer batch) => null;

    public bool Advance(BatchPosition? position) => false;

    public Checkpoint? Complete()
    {
        var doc = new BsonDocument("full_sync_at", new BsonDateTime(runStartedAt.UtcDateTime));
        return new Checkpoint(doc.ToJson(Canonical), "full sync at " + runStartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}
