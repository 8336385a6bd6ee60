using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>What one batch moves a run's position to: made and read by the tracker of its mode, opaque to the pipeline.</summary>
public abstract record BatchPosition;

/// <summary>
/// Where a run is, for every mode: what each batch contributes (<see cref="Capture"/>, from its raw documents, in parallel),
/// the position after the batches ClickHouse acknowledged (<see cref="Advance"/>, in order) and the checkpoint to store
/// (<see cref="Current"/>, <see cref="Complete"/>). Pure: the pipeline asks it and stores what it says. A mode that keeps its
/// position elsewhere (a change stream's resume token) is one more implementation; so is a tracker that holds the checkpoint
/// back to a settle window or an upper bound.
/// </summary>
public interface ICheckpointTracker
{
    /// <summary>What a batch moves the position to; null when it moves nothing. Thread-safe: it reads only the batch.</summary>
    BatchPosition? Capture(RawDocumentBuffer batch);

    /// <summary>The batch's rows were acknowledged (called in batch order): true when the position moved.</summary>
    bool Advance(BatchPosition? position);

    /// <summary>Where the next run resumes after the batches advanced so far; null until one moved it.</summary>
    Checkpoint? Current { get; }

    /// <summary>The run read and committed everything: the checkpoint a finished run stores (full mode: when it ran), or null.</summary>
    Checkpoint? Complete();
}

public static class CheckpointTracker
{
    /// <summary>The tracker of the connector's mode, starting from the stored checkpoint (null: from the beginning).</summary>
    /// <param name="runStartedAt">When the run began; a full run's checkpoint records it.</param>
    public static ICheckpointTracker For(ConnectorSpec connector, Checkpoint? stored, DateTimeOffset runStartedAt)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.Mode switch
        {
            SyncMode.IncrementalId => new IdCheckpointTracker(),
            SyncMode.IncrementalTimestamp => new TimestampCheckpointTracker(connector.CursorField, CursorRules.Timestamp(stored)),
            SyncMode.Full => new FullCheckpointTracker(runStartedAt),
            _ => throw new ArgumentOutOfRangeException(nameof(connector), connector.Mode, "no checkpoint tracker for this mode"),
        };
    }
}
