using System.Globalization;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>full: every run reads everything, so batches move nothing; a finished run records when it started.</summary>
internal sealed class FullCheckpointTracker(DateTimeOffset runStartedAt, TrackerSettings settings) : ICheckpointTracker
{
    public Checkpoint? Current => null;

    public TrackerFindings Findings => default;

    public void QueryOpened(DateTimeOffset at)
    {
    }

    public BatchPosition? Capture(RawDocumentBuffer batch) => null;

    public bool Advance(BatchPosition? position) => false;

    public Checkpoint? Complete() => new(
        new CursorState([], runStartedAt).ToJson(),
        "full sync at " + runStartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        settings.Fingerprint,
        settings.VersionFloor);
}
