using Microsoft.Extensions.Options;
using Zenith.Service.Api;
using Zenith.Service.Configuration;
using Zenith.Service.Metadata;
using Zenith.Service.Scheduling;
using Zenith.Service.Telemetry;
using Zenith.Service.Domain;

namespace Zenith.Service.Cli;

/// <summary>Works on the SQLite file directly, with the same store, validation and engine as the service.</summary>
public sealed class LocalClient : IZenithClient
{
    private readonly ServiceProvider services;

    private LocalClient(ServiceProvider services) => this.services = services;

    private ConnectorStore Store => services.GetRequiredService<ConnectorStore>();

    private int DefaultBatchSize => services.GetRequiredService<IOptions<ZenithOptions>>().Value.Processing.BatchSize;

    /// <summary>Reads zenith.json and ZENITH_* like the service, validates the options and applies migrations.</summary>
    public static async Task<LocalClient> OpenAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var options = configuration.ReadZenithOptions();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));
        collection.AddMetrics();
        collection.AddZenithOptions(configuration);
        collection.AddMetadataStore(options.MetadataStorage.Path);
        collection.AddSyncEngine();
        collection.AddSingleton<ZenithMetrics>();
        collection.AddScheduler();
        var provider = collection.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<ZenithOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            await provider.DisposeAsync();
            throw new CliException("Invalid configuration: " + e.Failures.First());
        }

        await provider.GetRequiredService<Migrations>().ApplyAsync(cancellationToken);
        return new LocalClient(provider);
    }

    public static async Task<IReadOnlyList<int>> MigrateAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var options = configuration.ReadZenithOptions();
        var collection = new ServiceCollection();
        collection.AddSingleton(TimeProvider.System);
        collection.AddMetadataStore(options.MetadataStorage.Path);
        await using var provider = collection.BuildServiceProvider();
        return await provider.GetRequiredService<Migrations>().ApplyAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConnectorResponse>> ListAsync(CancellationToken cancellationToken)
    {
        var latest = await services.GetRequiredService<RunStore>().LatestAsync(cancellationToken);
        var checkpoints = await services.GetRequiredService<CheckpointStore>().DisplayAllAsync(cancellationToken);
        return (await Store.ListAsync(cancellationToken))
            .Select(c => ConnectorResponse.From(c, false, latest.GetValueOrDefault(c.Id), checkpoints.GetValueOrDefault(c.Id), DefaultBatchSize))
            .ToList();
    }

    public async Task<ConnectorResponse> AddAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var (definition, errors) = ConnectorValidator.Validate(request);
        if (definition is null)
        {
            throw new CliException(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
        }

        try
        {
            var created = await Store.CreateAsync(definition, cancellationToken);
            return ConnectorResponse.From(created, false, null, null, DefaultBatchSize);
        }
        catch (DuplicateConnectorNameException e)
        {
            throw new CliException(e.Message);
        }
    }

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        await Store.DeleteAsync(connector.Id, cancellationToken);
    }

    public async Task<RunResponse> SyncAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        var coordinator = services.GetRequiredService<RunCoordinator>();
        var run = await coordinator.TryStartAsync(connector, RunTrigger.Manual, cancellationToken)
            ?? throw new CliException($"Connector {name} is already running.");
        using (cancellationToken.Register(() => _ = coordinator.CancelAsync(connector.Id)))
        {
            await coordinator.WhenIdleAsync(connector.Id);
        }

        var finished = await services.GetRequiredService<RunStore>().GetAsync(run.Id, CancellationToken.None);
        return RunResponse.From(finished!);
    }

    public async ValueTask DisposeAsync() => await services.DisposeAsync();

    private async Task<StoredConnector> FindAsync(string name, CancellationToken cancellationToken) =>
        await Store.FindByNameAsync(name, cancellationToken) ?? throw new CliException($"No connector named \"{name}\" (zenith connectors list shows them).");
}
