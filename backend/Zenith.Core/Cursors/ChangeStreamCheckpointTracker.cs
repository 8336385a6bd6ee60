using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// change_stream during its initial load (or a resync's reload): the load is an incremental_id read by <c>_id</c> without a settle
/// window (anything written during the load is in the stream after the start position anyway), so a restart resumes the load
/// where it was acknowledged. Its checkpoints carry the stream's start position; a finished load stores the position alone, from
/// which the stream is applied.
/// </summary>
internal sealed class ChangeStreamCheckpointTracker : ICheckpointTracker
{
    private readonly ChangeStreamPosition start;
    private readonly TrackerSettings settings;
    private readonly IncrementalCheckpointTracker load;

    public ChangeStreamCheckpointTracker(ConnectorSpec connector, ChangeStreamPosition start, TrackerSettings settings)
    {
        this.start = start;
        this.settings = settings;
        var byId = connector with { Mode = SyncMode.IncrementalId, SettleSeconds = 0 };
        load = new IncrementalCheckpointTracker(byId, CursorState.Parse(SyncMode.IncrementalId, start.LoadCheckpoint()), settings with { Window = settings.Window with { Settle = TimeSpan.Zero } });
    }

    public TrackerFindings Findings => load.Findings;

    public Checkpoint? Current => load.Current is { } moved ? (start with { Load = moved.Value }).ToCheckpoint(settings.Fingerprint, settings.VersionFloor) : null;

    public void QueryOpened(DateTimeOffset at) => load.QueryOpened(at);

    public BatchPosition? Capture(RawDocumentBuffer batch) => load.Capture(batch);

    public bool Advance(BatchPosition? position) => load.Advance(position);

    public Checkpoint? Complete() => (start with { Load = null }).ToCheckpoint(settings.Fingerprint, settings.VersionFloor);
}
