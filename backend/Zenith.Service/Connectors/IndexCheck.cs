using Microsoft.Extensions.Options;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;

namespace Zenith.Service.Connectors;

/// <summary>
/// Whether a connector's mode has the index it reads by, asked of MongoDB when a connector is created, edited or tested (each
/// run asks again): what it says replaces the connector's index warning. MongoDB gets a few seconds; one that does not answer
/// leaves the warning as it was.
/// </summary>
public sealed class IndexCheck(ISyncEngine engine, ConnectorStore store, IOptions<ZenithOptions> options)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<SyncWarning>> CheckAsync(UnsealedConnector connector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var warnings = await WarningsAsync(connector.ToSpec(options.Value.Processing.BatchSize), cancellationToken);
        if (warnings is not null)
        {
            await store.ReplaceWarningsAsync(connector.Id, warnings, [SyncWarningKind.MissingIndex], cancellationToken);
        }

        return warnings ?? [];
    }

    /// <summary>What the check says (passwords masked), or null when MongoDB did not answer in time.</summary>
    public async Task<IReadOnlyList<SyncWarning>?> WarningsAsync(ConnectorSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Mode != SyncMode.IncrementalTimestamp)
        {
            return [];
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Budget);
        try
        {
            return [.. (await engine.CheckSourceAsync(spec, bounded.Token)).Select(w => w with { Message = Redaction.Redact(w.Message, spec.Source.Uri) })];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
