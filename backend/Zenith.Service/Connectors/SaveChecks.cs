using Microsoft.Extensions.Options;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Connectors;

/// <summary>
/// What a create or update is checked against beyond the request itself (ConnectorValidator): the hosts the operator allows
/// (<c>network.allowed_hosts</c>), and the destination's own parse of new table expressions. Both name the field they refuse.
/// </summary>
public sealed class SaveChecks(ISyncEngine engine, IOptions<ZenithOptions> options)
{
    /// <summary>The refusal of a save, or null when it may go on; <paramref name="existing"/> is the connector an update replaces.</summary>
    public async Task<UseCaseResult<ConnectorView>?> RefusedAsync(ConnectorDefinition definition, UnsealedConnector? existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return HostsRefused(definition) ?? await CheckTableAsync(definition, existing, cancellationToken);
    }

    /// <summary>The field errors of hosts outside <c>network.allowed_hosts</c>, or null.</summary>
    private UseCaseResult<ConnectorView>? HostsRefused(ConnectorDefinition definition)
    {
        var allowed = HostAllowList.Parse(options.Value.Network.AllowedHosts, out _);
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, uri) in new[] { ("source.uri", definition.Source.Uri), ("destination.uri", definition.Destination.Uri) })
        {
            if (allowed.FirstRefused(ConnectionString.Parse(uri)) is { } host)
            {
                errors[field] = [allowed.Refusal(host) + "."];
            }
        }

        return errors.Count == 0 ? null : new UseCaseResult<ConnectorView>(Outcome.Invalid, default, errors);
    }

    /// <summary>
    /// Has the destination parse the table expressions (ORDER BY, PARTITION BY, TTL) when they are new or changed, with the
    /// password the save would use; a refusal names the field. The allow-list (<c>TableExpressions</c>) was checked before.
    /// </summary>
    private async Task<UseCaseResult<ConnectorView>?> CheckTableAsync(ConnectorDefinition definition, UnsealedConnector? existing, CancellationToken cancellationToken)
    {
        if (definition.Table == existing?.Definition.Table || definition.Table == TableOptions.Default)
        {
            return null;
        }

        var sent = ConnectionString.Parse(definition.Destination.Uri);
        var uri = existing is null ? sent.Text : sent.ReuseStoredPassword(ConnectionString.Parse(existing.Definition.Destination.Uri)).Uri;
        var errors = await engine.CheckTableOptionsAsync(definition.Destination with { Uri = ConnectionString.Parse(uri).WithoutMaskedSecrets() }, definition.Table, cancellationToken);
        return errors.Count == 0
            ? null
            : new UseCaseResult<ConnectorView>(Outcome.Invalid, default, errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
    }
}
