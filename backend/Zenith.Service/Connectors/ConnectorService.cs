using Microsoft.Extensions.Options;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Connectors;

/// <summary>
/// The use cases on connectors, with one behaviour whoever asks: the API's endpoints, the CLI's local mode and the scheduler.
/// Each says what happened in a <see cref="UseCaseResult{T}"/>; the front ends only translate it (HTTP status, exit code).
/// (Over 300 lines on purpose: every change to a connector goes through here; the parts with logic of their own are
/// <see cref="CheckpointResets"/> and <see cref="IndexCheck"/>.)
/// </summary>
public sealed class ConnectorService(
    ConnectorStore store,
    RunStore runs,
    CheckpointStore checkpoints,
    CheckpointResets resets,
    RunCoordinator coordinator,
    ConnectorStates states,
    SchedulerSignal signal,
    SyncHistory history,
    ISyncEngine engine,
    IndexCheck indexes,
    SaveChecks checks,
    VerificationService verifications,
    IOptions<ZenithOptions> options,
    ILogger<ConnectorService> logger)
{
    private int DefaultBatchSize => options.Value.Processing.BatchSize;

    public async Task<IReadOnlyList<ConnectorView>> ListAsync(CancellationToken cancellationToken)
    {
        var connectors = await store.ListAsync(cancellationToken);
        var latest = await runs.LatestAsync(cancellationToken);
        var positions = await checkpoints.DisplayAllAsync(cancellationToken);
        return [.. connectors.Select(c => View(c, latest.GetValueOrDefault(c.Id), positions.GetValueOrDefault(c.Id)))];
    }

    public async Task<ConnectorView?> GetAsync(long id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } connector ? await ViewAsync(connector, cancellationToken) : null;

    public async Task<ConnectorView?> FindByNameAsync(string name, CancellationToken cancellationToken) =>
        await store.FindByNameAsync(name, cancellationToken) is { } connector ? await ViewAsync(connector, cancellationToken) : null;

    /// <summary>
    /// Stores a new connector, active (the scheduler wakes and runs it at once) or <paramref name="paused"/> (nothing runs until
    /// it is resumed: a user reviews it first).
    /// </summary>
    public async Task<UseCaseResult<ConnectorView>> CreateAsync(ConnectorDefinition definition, CancellationToken cancellationToken, bool paused = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (await checks.RefusedAsync(definition, null, cancellationToken) is { } refused)
        {
            return refused;
        }

        StoredConnector created;
        try
        {
            created = await store.CreateAsync(definition, paused ? ConnectorStatus.Paused : ConnectorStatus.Active, cancellationToken);
        }
        catch (DuplicateConnectorNameException e)
        {
            return UseCase.Invalid<ConnectorView>("name", e.Message);
        }
        catch (DestinationTakenException e)
        {
            return UseCase.Invalid<ConnectorView>("destination.table", e.Message);
        }

        states.Set(created.Summary);
        await history.EventAsync(LogSeverity.Info, created.Id, $"Connector {created.Definition.Name} created{(paused ? " paused: resume it to start syncing" : string.Empty)}.", cancellationToken);
        await indexes.CheckAsync(new UnsealedConnector(created, definition), cancellationToken);
        signal.Wake();
        return UseCase.Ok<ConnectorView>(await ViewAsync(await store.GetAsync(created.Id, cancellationToken) ?? created, cancellationToken));
    }

    /// <summary>
    /// Replaces the definition; a masked or missing password keeps the stored one for the same server and user
    /// (<see cref="ConnectionString.ReuseStoredPassword"/>). A refused edit changes nothing. An edit that changes what the
    /// checkpoint means (<see cref="CheckpointFingerprint"/>: mode, cursor field, source, filter, projection, destination) resets it,
    /// says so in the history and in the answer; a run still going under the old definition can no longer store its position.
    /// </summary>
    public async Task<UseCaseResult<ConnectorView>> UpdateAsync(long id, ConnectorDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (await store.GetAsync(id, cancellationToken) is not { } before)
        {
            return UseCase.NotFound<ConnectorView>();
        }

        if (await checks.RefusedAsync(definition, await UnsealAsync(id, cancellationToken), cancellationToken) is { } refused)
        {
            return refused;
        }

        if (MappingChangeRefused(before, definition) is { } conflict)
        {
            return UseCase.Conflict<ConnectorView>(conflict);
        }

        StoredConnector? updated;
        try
        {
            updated = await store.UpdateAsync(id, definition, cancellationToken);
        }
        catch (DuplicateConnectorNameException e)
        {
            return UseCase.Invalid<ConnectorView>("name", e.Message);
        }
        catch (DestinationTakenException e)
        {
            return UseCase.Invalid<ConnectorView>("destination.table", e.Message);
        }
        catch (PasswordRequiredException e)
        {
            return UseCase.Invalid<ConnectorView>(e.End + ".uri", e.Message);
        }

        if (updated is null)
        {
            return UseCase.NotFound<ConnectorView>();
        }

        states.Set(updated.Summary);
        if (before!.Definition.Mode == SyncMode.ChangeStream || definition.Mode == SyncMode.ChangeStream)
        {
            // A stream never ends on its own: it stops now and starts again (below) with what the edit says.
            await coordinator.CancelAsync(id);
        }

        await history.EventAsync(LogSeverity.Info, id, $"Connector {updated.Definition.Name} updated.", cancellationToken);
        var (oldSpec, newSpec) = (MeaningOf(before), MeaningOf(updated));
        var message = await resets.AfterEditAsync(id, oldSpec, newSpec, cancellationToken);
        if (oldSpec.Mode != newSpec.Mode || oldSpec.CursorField != newSpec.CursorField || oldSpec.Source != newSpec.Source)
        {
            if (await UnsealAsync(id, cancellationToken) is { } unsealed)
            {
                await indexes.CheckAsync(unsealed, cancellationToken);
            }
        }

        signal.Wake();
        var view = await ViewAsync(await store.GetAsync(id, cancellationToken) ?? updated, cancellationToken);
        return UseCase.Ok<ConnectorView>(view with { CheckpointReset = message is not null, Message = message });
    }

    /// <summary>
    /// An edit of the mapping rules that would change what the columns of a table already written mean is refused, with the way
    /// out: a full-mode connector rebuilds its table every run (so the edit is taken), another table starts fresh, and a resync
    /// reloads the table with the new rules. Nothing is stored.
    /// </summary>
    private static string? MappingChangeRefused(StoredConnector saved, ConnectorDefinition edit)
    {
        var before = saved.Definition;
        var sameTable = before.Destination.Database == edit.Destination.Database && before.Destination.Table == edit.Destination.Table
            && ConnectionString.Parse(before.Destination.Uri).HostList == ConnectionString.Parse(edit.Destination.Uri).HostList;
        if (edit.Mode == SyncMode.Full || !sameTable || (saved.LastRun is null && saved.LastAttemptAt is null)
            || Core.Mapping.MappingRules.TableChange(before.Mapping, edit.Mapping) is not { } change)
        {
            return null;
        }

        return $"Connector {before.Name} has written {edit.Destination.Database}.{edit.Destination.Table} with its current mapping ({change}): "
            + "its rows would change meaning under the new one, so nothing was saved. Resync the connector to reload the table with the new "
            + $"rules (POST /api/connectors/{saved.Id}/resync), point it at a new table, or use full mode, whose every run rebuilds the table.";
    }

    /// <summary>
    /// The columns a sample maps to for a connector not saved yet (or an edit of one, whose masked passwords come from the saved
    /// connector, as for the connection test): the mapping editor's live preview.
    /// </summary>
    public async Task<UseCaseResult<MappingPreview>> PreviewDraftAsync(ConnectorDefinition definition, long? connectorId, int sampleSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var source = definition.Source;
        var destination = definition.Destination;
        if (connectorId is { } id)
        {
            if (await store.GetAsync(id, cancellationToken) is null)
            {
                return UseCase.Invalid<MappingPreview>("connectorId", $"There is no connector with id {id}; leave connectorId out to preview a new connector.");
            }

            if (await UnsealAsync(id, cancellationToken) is not { } saved)
            {
                return UseCase.Unreadable<MappingPreview>(CredentialsUnreadableException.Advice);
            }

            // A saved secret goes only to the endpoint it was saved for (the update rule); "***" elsewhere is no password to try.
            var sourceReuse = ConnectionString.Parse(source.Uri).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Source.Uri));
            var destinationReuse = ConnectionString.Parse(destination.Uri).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Destination.Uri));
            if (sourceReuse.Choice == PasswordChoice.MaskRefused || destinationReuse.Choice == PasswordChoice.MaskRefused)
            {
                return UseCase.Invalid<MappingPreview>(
                    sourceReuse.Choice == PasswordChoice.MaskRefused ? "connector.source.uri" : "connector.destination.uri",
                    "The password is masked (***) but the server, user, authentication, TLS or proxy options differ from the saved connector's: type the password again.");
            }

            source = source with { Uri = sourceReuse.Uri };
            destination = destination with { Uri = destinationReuse.Uri };
        }

        var spec = new ConnectorSpec(connectorId ?? 0, definition.Name, source, destination, definition.Mode, definition.CursorField,
            definition.BatchSize ?? DefaultBatchSize, definition.Mapping, definition.Table);
        try
        {
            return UseCase.Ok<MappingPreview>(await engine.PreviewAsync(spec, sampleSize, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return UseCase.Failed<MappingPreview>(Redaction.Redact(e.Message, source.Uri, destination.Uri));
        }
    }

    /// <summary>
    /// Forgets the connector's position: the next run starts from the beginning, into the same table (rows written again collapse
    /// by version). A run of this process stops first; a run of another process (the lease) is a conflict.
    /// </summary>
    public async Task<UseCaseResult<ConnectorView>> ResetAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } connector)
        {
            return UseCase.NotFound<ConnectorView>();
        }

        var reset = await resets.ResetAsync(id, MeaningOf(connector), cancellationToken);
        if (reset.Value is not { } message)
        {
            return UseCase.Conflict<ConnectorView>(reset.Detail!);
        }

        signal.Wake();
        return UseCase.Ok<ConnectorView>(await ViewAsync(connector, cancellationToken) with { Message = message });
    }

    /// <summary>
    /// Reloads everything into a new table and swaps it in atomically, for any mode (trigger <c>resync</c>); the checkpoint moves
    /// after the swap, to where the reload's read settled. A conflict while a run is queued or running.
    /// </summary>
    /// <param name="verifyAfter">
    /// Verify the table once the run succeeded (the service does; the CLI on the SQLite file does not, as its process ends with
    /// the run: <c>zenith verify</c> does it there).
    /// </param>
    public async Task<UseCaseResult<RunRecord>> ResyncAsync(long id, CancellationToken cancellationToken, bool verifyAfter = true)
    {
        // A change stream runs all the time: it stops (between micro-batches) so the resync can take its place. Its resync run
        // never ends (it streams on after the swap), so there is no end of run to verify after: verify it on demand or on a schedule.
        var stream = await store.GetAsync(id, cancellationToken) is { Definition.Mode: SyncMode.ChangeStream };
        var started = await StartAsync(id, RunTrigger.Resync, cancellationToken, replace: stream);
        if (started.Outcome == Outcome.Ok && verifyAfter && !stream)
        {
            // A reload is when a user most wants to know the table is right: verified once the swap has happened.
            verifications.VerifyAfterRun(id, started.Value!.Id);
        }

        return started;
    }

    /// <summary>Stops a running sync, then deletes the connector with its runs and log; the ClickHouse table stays. False if there was none.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return false;
        }

        // Paused first so the scheduler does not start it again while the running sync stops.
        await store.SetStatusAsync(id, ConnectorStatus.Paused, resetFailures: false, cancellationToken);
        await coordinator.CancelAsync(id);
        var deleted = await store.DeleteAsync(id, cancellationToken);
        states.Remove(id);
        return deleted;
    }

    /// <summary>Stops scheduling the connector and cancels its running sync (between batches) before answering.</summary>
    public async Task<ConnectorView?> PauseAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return null;
        }

        await store.SetStatusAsync(id, ConnectorStatus.Paused, resetFailures: false, cancellationToken);
        await coordinator.CancelAsync(id);
        await RememberStateAsync(id, cancellationToken);
        await history.EventAsync(LogSeverity.Info, id, "Connector paused.", cancellationToken);
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>Schedules the connector again; from <c>error</c> it also clears the failure count.</summary>
    public async Task<ConnectorView?> ResumeAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } connector)
        {
            return null;
        }

        await store.SetStatusAsync(id, ConnectorStatus.Active, resetFailures: connector.Status == ConnectorStatus.Error, cancellationToken);
        if (connector.CredentialsUnreadable)
        {
            // The keys may be back: if the secrets decrypt again, the connector is scheduled again.
            await UnsealAsync(id, cancellationToken);
        }

        await RememberStateAsync(id, cancellationToken);
        await history.EventAsync(LogSeverity.Info, id, "Connector resumed.", cancellationToken);
        signal.Wake();
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>Starts a run now (trigger <c>manual</c>); a conflict while one is queued or running.</summary>
    public Task<UseCaseResult<RunRecord>> SyncNowAsync(long id, CancellationToken cancellationToken) => StartAsync(id, RunTrigger.Manual, cancellationToken);

    /// <param name="replace">Stop the connector's run first and start this one in its place (a change stream's resync).</param>
    private async Task<UseCaseResult<RunRecord>> StartAsync(long id, RunTrigger trigger, CancellationToken cancellationToken, bool replace = false)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } connector)
        {
            return UseCase.NotFound<RunRecord>();
        }

        if (connector.CredentialsUnreadable && await UnsealAsync(id, cancellationToken) is null)
        {
            return UseCase.Unreadable<RunRecord>(CredentialsUnreadableException.Advice);
        }

        var started = replace ? coordinator.ReplaceAsync(id, trigger, cancellationToken) : coordinator.TryStartAsync(id, trigger, cancellationToken);
        return await started is { } run
            ? UseCase.Ok<RunRecord>(run)
            : UseCase.Conflict<RunRecord>($"Connector {connector.Definition.Name} is already running");
    }

    /// <summary>The scheduler's start of a due connector; null when it already has a run.</summary>
    public Task<RunRecord?> StartScheduledAsync(long id, RunTrigger trigger, CancellationToken cancellationToken) =>
        coordinator.TryStartAsync(id, trigger, cancellationToken);

    public bool IsRunning(long id) => coordinator.IsRunning(id);

    /// <summary>Completes when the connector has no run queued or running.</summary>
    public Task WhenIdleAsync(long id) => coordinator.WhenIdleAsync(id);

    /// <summary>Cancels the connector's run, if any, and waits until it has stopped.</summary>
    public Task CancelRunAsync(long id) => coordinator.CancelAsync(id);

    /// <summary>
    /// Tests both ends of a connector before it is saved. With <paramref name="connectorId"/> (an edit of a saved connector)
    /// a masked or missing password takes the saved one by the update rule; an end whose password stays masked is not
    /// contacted and says to type the password again.
    /// </summary>
    /// <param name="mode">The mode the connector will have, with <paramref name="cursorField"/>: the test also says which index it needs.</param>
    public async Task<UseCaseResult<ConnectionTestResult>> TestAsync(
        SourceSpec source, DestinationSpec destination, long? connectorId, CancellationToken cancellationToken, SyncMode? mode = null, string? cursorField = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var sourceUri = new PasswordReuse(source.Uri, ConnectionString.Parse(source.Uri).HasMaskedSecret ? PasswordChoice.MaskRefused : PasswordChoice.AsSent);
        var destinationUri = new PasswordReuse(destination.Uri, ConnectionString.Parse(destination.Uri).HasMaskedSecret ? PasswordChoice.MaskRefused : PasswordChoice.AsSent);
        var maskMessage = "The password is masked (***): type it again, or send connectorId to test with the saved password.";
        if (connectorId is { } id)
        {
            if (await store.GetAsync(id, cancellationToken) is null)
            {
                return UseCase.Invalid<ConnectionTestResult>("connectorId", $"There is no connector with id {id}; leave connectorId out to test a new connector.");
            }

            if (await UnsealAsync(id, cancellationToken) is { } saved)
            {
                sourceUri = ConnectionString.Parse(source.Uri).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Source.Uri));
                destinationUri = ConnectionString.Parse(destination.Uri).ReuseStoredPassword(ConnectionString.Parse(saved.Definition.Destination.Uri));
                maskMessage = "The password is masked (***) but the server, user, authentication, TLS or proxy options differ from the saved connector's: type the password again.";
            }
            else
            {
                maskMessage = CredentialsUnreadableException.Sentence;
            }
        }

        // "***" is no password: testing with it would only report a failed login that is not the user's.
        var masked = new EndpointCheck(false, maskMessage);
        source = source with { Uri = sourceUri.Uri };
        destination = destination with { Uri = destinationUri.Uri };
        var sourceCheck = sourceUri.Choice == PasswordChoice.MaskRefused ? masked : await engine.TestSourceAsync(source, cancellationToken);
        var destinationCheck = destinationUri.Choice == PasswordChoice.MaskRefused ? masked : await engine.TestDestinationAsync(destination, cancellationToken);
        var warnings = sourceCheck.Ok && mode is { } m
            ? await indexes.WarningsAsync(new ConnectorSpec(connectorId ?? 0, "test", source, destination, m, cursorField ?? ConnectorSpec.DefaultCursorField, DefaultBatchSize, MappingOptions.Default, TableOptions.Default), cancellationToken)
            : null;
        return UseCase.Ok<ConnectionTestResult>(Redacted(new ConnectionTestResult(sourceCheck, destinationCheck), "(not saved)", source.Uri, destination.Uri) with { Warnings = warnings ?? [] });
    }

    /// <summary>Tests both ends of a saved connector, and checks the index its mode needs (stored as a warning); null when there is none.</summary>
    public async Task<ConnectionTestResult?> TestSavedAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return null;
        }

        if (await UnsealAsync(id, cancellationToken) is not { } connector)
        {
            var unreadable = new EndpointCheck(false, CredentialsUnreadableException.Sentence);
            return new ConnectionTestResult(unreadable, unreadable);
        }

        var d = connector.Definition;
        var result = Redacted(await engine.TestAsync(d.Source, d.Destination, cancellationToken), d.Name, d.Source.Uri, d.Destination.Uri);
        return result with { Warnings = await indexes.CheckAsync(connector, cancellationToken) };
    }

    /// <summary>The columns a sample of the collection maps to, remembered as the connector's mapped columns.</summary>
    public async Task<UseCaseResult<MappingPreview>> PreviewAsync(long id, int sampleSize, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return UseCase.NotFound<MappingPreview>();
        }

        if (await UnsealAsync(id, cancellationToken) is not { } connector)
        {
            return UseCase.Unreadable<MappingPreview>(CredentialsUnreadableException.Advice);
        }

        var preview = await SampleAsync(connector, sampleSize, cancellationToken);
        if (preview.Value is { } columns)
        {
            await store.SaveMappedColumnsAsync(id, [.. columns.Columns.Select(c => new MappedColumn(c.Name, c.Type, c.SourcePath))], cancellationToken);
        }

        return preview;
    }

    private async Task<UseCaseResult<MappingPreview>> SampleAsync(UnsealedConnector connector, int sampleSize, CancellationToken cancellationToken)
    {
        try
        {
            return UseCase.Ok(await engine.PreviewAsync(connector.ToSpec(DefaultBatchSize), sampleSize, cancellationToken));
        }
        catch (SyncFailedException e)
        {
            var detail = e.Detail is null ? null : connector.Redact(e.Detail);
            if (detail is not null)
            {
                logger.CheckFailureDetail("The preview", connector.Name, detail);
            }

            return UseCase.Failed<MappingPreview>(connector.Redact(e.Message), detail);
        }
    }

    /// <summary>Shutdown: every run stops between batches; checkpoints stay where ClickHouse is.</summary>
    public Task StopAllAsync(CancellationToken cancellationToken) => coordinator.StopAllAsync(cancellationToken);

    /// <summary>
    /// A stored connector as a spec for what its checkpoint means (<see cref="CheckpointFingerprint"/>: mode, cursor field,
    /// database, collection, filter, projection, table). Its URIs are masked: never connect with it.
    /// </summary>
    private ConnectorSpec MeaningOf(StoredConnector connector) => new UnsealedConnector(connector, connector.Definition).ToSpec(DefaultBatchSize);

    /// <summary>The connector with its secrets; null when they cannot be decrypted (then its state says so).</summary>
    private async Task<UnsealedConnector?> UnsealAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            return await store.UnsealAsync(id, cancellationToken);
        }
        catch (CredentialsUnreadableException)
        {
            return null;
        }
        finally
        {
            await RememberStateAsync(id, cancellationToken);
        }
    }

    private async Task RememberStateAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.GetSummaryAsync(id, cancellationToken) is { } summary)
        {
            states.Set(summary);
        }
    }

    private async Task<ConnectorView> ViewAsync(StoredConnector connector, CancellationToken cancellationToken)
    {
        var latest = await runs.ListAsync(connector.Id, 1, cancellationToken);
        var checkpoint = await checkpoints.LoadAsync(connector.Id, cancellationToken);
        return View(connector, latest.Count > 0 ? latest[0] : null, checkpoint is { HasPosition: true } ? checkpoint.Display : null);
    }

    private ConnectorView View(StoredConnector connector, RunRecord? latest, string? checkpoint)
    {
        var (lag, caughtUp) = states.StreamLag(connector.Id);
        return new(connector, coordinator.IsRunning(connector.Id), latest, checkpoint, connector.Definition.BatchSize ?? DefaultBatchSize, states.IsStuck(connector.Id))
        {
            LagSeconds = lag is { } seconds ? Math.Round(seconds, 1) : null,
            CaughtUp = caughtUp,
        };
    }

    private ConnectionTestResult Redacted(ConnectionTestResult result, string name, string sourceUri, string destinationUri)
    {
        EndpointCheck Redact(EndpointCheck check, string end)
        {
            var detail = check.Detail is null ? null : Redaction.Redact(check.Detail, sourceUri, destinationUri);
            if (detail is not null)
            {
                logger.CheckFailureDetail($"The connection test of {end}", name, detail);
            }

            return new EndpointCheck(check.Ok, Redaction.Redact(check.Message, sourceUri, destinationUri), detail);
        }

        return new(Redact(result.Source, "MongoDB"), Redact(result.Destination, "ClickHouse"));
    }
}
