using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>What one batch moves a run's position to: made and read by the tracker of its mode, opaque to the pipeline.</summary>
public abstract record BatchPosition;

/// <summary>What a run's tracker saw that a person should hear about (counted over acknowledged batches).</summary>
/// <param name="FarFuture">Documents whose cursor time lies beyond the run's start plus the tolerance: copied, never a checkpoint.</param>
/// <param name="ArrayValues">Documents whose cursor value is (or goes through) an array: copied, never a checkpoint.</param>
public readonly record struct TrackerFindings(long FarFuture, long ArrayValues);

/// <summary>How a run's tracker decides and what it stamps on the checkpoints it makes.</summary>
/// <param name="Window">When a key is settled (<see cref="SettleWindow"/>).</param>
/// <param name="Time">The clock that dates the marks of keys without a time.</param>
/// <param name="Fingerprint">The definition the checkpoints are made for (<see cref="CheckpointFingerprint"/>).</param>
/// <param name="VersionFloor">The row-version base of the run, stored so later runs go higher.</param>
public sealed record TrackerSettings(SettleWindow Window, TimeProvider Time, string? Fingerprint = null, long VersionFloor = 0);

/// <summary>
/// Where a run is, for every mode: what each batch contributes (<see cref="Capture"/>, from its raw documents, in parallel),
/// the position after the batches ClickHouse acknowledged (<see cref="Advance"/>, in order) and the checkpoint to store
/// (<see cref="Current"/>, <see cref="Complete"/>). Pure apart from the clock it is given: the pipeline asks it and stores what it
/// says. A mode that keeps its position elsewhere (a change part's resume token) is one more implementation.
/// </summary>
public interface ICheckpointTracker
{
    /// <summary>The run's query was opened at <paramref name="at"/>: keys are settled against it. Called once, before any capture.</summary>
    void QueryOpened(DateTimeOffset at);

    /// <summary>What a batch moves the position to; null when it moves nothing. Thread-safe: it reads only the batch.</summary>
    BatchPosition? Capture(RawDocumentBuffer batch);

    /// <summary>The batch's rows were acknowledged (called in batch order): true when the checkpoint changed.</summary>
    bool Advance(BatchPosition? position);

    /// <summary>Where the next run resumes after the batches advanced so far; null until one moved it.</summary>
    Checkpoint? Current { get; }

    /// <summary>The run read and committed everything: the checkpoint a finished run stores, or null when it is <see cref="Current"/> already stored.</summary>
    Checkpoint? Complete();

    TrackerFindings Findings { get; }
}

public static class CheckpointTracker
{
    /// <summary>The tracker of the connector's mode, starting from the stored checkpoint (null: from the beginning).</summary>
    /// <param name="runStartedAt">When the run began; a full run's checkpoint records it.</param>
    public static ICheckpointTracker For(ConnectorSpec connector, Checkpoint? stored, DateTimeOffset runStartedAt, TrackerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(settings);
        return connector.Mode switch
        {
            SyncMode.IncrementalId or SyncMode.IncrementalTimestamp => new IncrementalCheckpointTracker(connector, CursorState.Parse(connector.Mode, stored), settings),
            SyncMode.Full => new FullCheckpointTracker(runStartedAt, settings),
            SyncMode.ChangeStream => new ChangeStreamCheckpointTracker(
                connector,
                ChangeStreamPosition.Parse(stored) ?? throw new ArgumentException("a change-stream run takes its start position before its tracker", nameof(stored)),
                settings),
            _ => throw new ArgumentOutOfRangeException(nameof(connector), connector.Mode, "no checkpoint tracker for this mode"),
        };
    }
}
