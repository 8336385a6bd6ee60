using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Telemetry;

namespace Zenith.Service.Connectors;

/// <summary>
/// The destination table as it is now (the detail page's schema tab): its columns and types from <c>system.columns</c> and the
/// document path each comes from, read from the comments Zenith writes on its columns. A read-only query: nothing is stored.
/// </summary>
public sealed class DestinationSchema(ConnectorStore store, ISyncEngine engine, IOptions<ZenithOptions> options, ILogger<DestinationSchema> logger)
{
    /// <summary>The table (null inside an ok result when it does not exist yet), not found, or why ClickHouse could not be read.</summary>
    public async Task<UseCaseResult<DestinationTableInfo?>> DescribeAsync(long id, CancellationToken cancellationToken)
    {
        UnsealedConnector? connector;
        try
        {
            connector = await store.UnsealAsync(id, cancellationToken);
        }
        catch (CredentialsUnreadableException e)
        {
            return UseCase.Unreadable<DestinationTableInfo?>(e.Message);
        }

        if (connector is null)
        {
            return UseCase.NotFound<DestinationTableInfo?>();
        }

        try
        {
            return UseCase.Ok(await engine.DescribeTableAsync(connector.ToSpec(options.Value.Processing.BatchSize), withStatistics: false, cancellationToken));
        }
        catch (SyncFailedException e)
        {
            var detail = e.Detail is null ? null : connector.Redact(e.Detail);
            if (detail is not null)
            {
                logger.CheckFailureDetail("Reading the table's columns", connector.Name, detail);
            }

            return UseCase.Failed<DestinationTableInfo?>(connector.Redact(e.Message), detail);
        }
    }
}
