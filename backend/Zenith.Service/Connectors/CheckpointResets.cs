using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;

namespace Zenith.Service.Connectors;

/// <summary>
/// When a connector's checkpoint is forgotten: on request, and when an edit changes what it means (<see cref="CheckpointFingerprint"/>).
/// The row keeps its version floor and names the definition from now on, so a run still going under the old one cannot store
/// its position; the history says what happened.
/// </summary>
public sealed class CheckpointResets(CheckpointStore checkpoints, LeaseStore leases, RunCoordinator coordinator, SyncHistory history)
{
    /// <summary>After an edit: resets the checkpoint if the edit changed what it means; the message to the user when there was one.</summary>
    public async Task<string?> AfterEditAsync(long id, ConnectorSpec before, ConnectorSpec after, CancellationToken cancellationToken)
    {
        var changes = CheckpointFingerprint.Changes(before, after);
        if (changes.Count == 0 || !await checkpoints.ResetAsync(id, CheckpointFingerprint.Of(after), cancellationToken))
        {
            return null;
        }

        var message = $"Checkpoint reset: the {string.Join(", ", changes)} changed, so the old position would point into other data or another table. " +
            $"The next run copies everything again into {after.Destination.Database}.{after.Destination.Table}.";
        await history.EventAsync(LogSeverity.Warning, id, message, cancellationToken);
        return message;
    }

    /// <summary>
    /// On request: a run of this process stops first; one of another process (it holds the lease, and has not ended) makes it a conflict. The
    /// message to the user, or the conflict's detail.
    /// </summary>
    public async Task<UseCaseResult<string>> ResetAsync(long id, ConnectorSpec connector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        await coordinator.CancelAsync(id);
        var holder = $"a reset by pid {Environment.ProcessId}";
        if (await LeaseHolders.TakeOverDeadAsync(leases, id, holder, cancellationToken) is { } other)
        {
            return UseCase.Conflict<string>($"Connector {connector.Name} is being run by another Zenith process ({other.Holder}); reset it when that run has finished");
        }

        try
        {
            await checkpoints.ResetAsync(id, CheckpointFingerprint.Of(connector), cancellationToken);
        }
        finally
        {
            await leases.ReleaseAsync(id, holder, CancellationToken.None);
        }

        var message = $"Checkpoint reset by request: the next run starts from the beginning into {connector.Destination.Database}.{connector.Destination.Table}.";
        await history.EventAsync(LogSeverity.Warning, id, message, cancellationToken);
        return UseCase.Ok(message);
    }
}
