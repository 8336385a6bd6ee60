using Microsoft.Extensions.Options;
using Zenith.Service.Api;
using Zenith.Service.Configuration;
using Zenith.Service.Connectors;
using Zenith.Service.Metadata;

namespace Zenith.Service.Cli;

/// <summary>
/// Works on the SQLite file directly, through the same use cases as the service (composed by <see cref="ZenithServices.AddZenith"/>,
/// like the host): a connector added here is logged and a removed one is paused and stopped first, as through the API.
/// No hosted service runs: there is no scheduler in this process, only the run the command asks for.
/// </summary>
public sealed class LocalClient : IZenithClient
{
    private readonly ServiceProvider services;

    private LocalClient(ServiceProvider services) => this.services = services;

    private ConnectorService Connectors => services.GetRequiredService<ConnectorService>();

    /// <summary>
    /// Reads zenith.json and ZENITH_* like the service, validates the options and applies migrations. With
    /// <paramref name="mustExist"/> (commands that only read or change what is there) a missing metadata file is an error,
    /// not a new empty one.
    /// </summary>
    public static async Task<LocalClient> OpenAsync(IConfiguration configuration, CancellationToken cancellationToken, bool mustExist = false)
    {
        if (mustExist)
        {
            var path = Path.GetFullPath(configuration.ReadZenithOptions().MetadataStorage.Path);
            if (!File.Exists(path))
            {
                throw new CliException($"There is no metadata database at {path}: `zenith serve` or `zenith migrate` creates it, or pass --api to use a running service.");
            }
        }

        var provider = Compose(configuration);
        try
        {
            _ = provider.GetRequiredService<IOptions<ZenithOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            await provider.DisposeAsync();
            throw new CliException("Invalid configuration: " + e.Failures.First());
        }

        provider.GetRequiredService<MetadataFiles>().WarnOnce(provider.GetRequiredService<ILoggerFactory>().CreateLogger("Zenith"));
        await provider.GetRequiredService<Migrations>().ApplyAsync(cancellationToken);
        return new LocalClient(provider);
    }

    public static async Task<IReadOnlyList<int>> MigrateAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        await using var provider = Compose(configuration);
        return await provider.GetRequiredService<Migrations>().ApplyAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConnectorResponse>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await Connectors.ListAsync(cancellationToken)).Select(ConnectorResponse.From)];

    public async Task<ConnectorResponse> AddAsync(ConnectorRequest request, CancellationToken cancellationToken)
    {
        var (definition, errors) = ConnectorValidator.Validate(request);
        if (definition is null)
        {
            throw new CliException(OneLine(errors));
        }

        var created = await Connectors.CreateAsync(definition, cancellationToken, paused: request.Paused == true);
        return created.Value is { } view ? ConnectorResponse.From(view) : throw new CliException(string.Join("; ", created.Errors!.Select(e => e.Value[0])));
    }

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var connector = await FindAsync(name, cancellationToken);
        await Connectors.DeleteAsync(connector.Connector.Id, cancellationToken);
    }

    public async Task<RunResponse> SyncAsync(string name, Action<RunResponse> attached, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attached);
        var id = (await FindAsync(name, cancellationToken)).Connector.Id;
        var started = await Connectors.SyncNowAsync(id, cancellationToken);
        var run = started.Value;
        if (run is null)
        {
            // Only this process runs connectors on the file it opened: a run going is one it started, and it is the newest.
            var runs = await services.GetRequiredService<RunStore>().ListAsync(id, 1, cancellationToken);
            run = runs is [var running] ? running : throw new CliException(started.Detail + ".");
            attached(RunResponse.From(running));
        }

        return await WaitAsync(id, run, cancellationToken);
    }

    public async Task<RunResponse> ResyncAsync(string name, CancellationToken cancellationToken)
    {
        var id = (await FindAsync(name, cancellationToken)).Connector.Id;
        var started = await Connectors.ResyncAsync(id, cancellationToken, verifyAfter: false);
        return await WaitAsync(id, started.Value ?? throw new CliException(started.Detail + "."), cancellationToken);
    }

    public async Task<ConnectorResponse> ResetAsync(string name, CancellationToken cancellationToken)
    {
        var reset = await Connectors.ResetAsync((await FindAsync(name, cancellationToken)).Connector.Id, cancellationToken);
        return reset.Value is { } view ? ConnectorResponse.From(view) : throw new CliException(reset.Detail + ".");
    }

    /// <summary>Waits for the run this process started (Ctrl-C cancels it) and returns it as stored.</summary>
    private async Task<RunResponse> WaitAsync(long id, Domain.RunRecord run, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() => _ = Connectors.CancelRunAsync(id)))
        {
            await Connectors.WhenIdleAsync(id);
        }

        var finished = await services.GetRequiredService<RunStore>().GetAsync(run.Id, CancellationToken.None);
        return RunResponse.From(finished!);
    }

    public async Task<VerificationResponse> VerifyAsync(string name, int? sampleSize, CancellationToken cancellationToken)
    {
        var id = (await FindAsync(name, cancellationToken)).Connector.Id;
        var verifications = services.GetRequiredService<VerificationService>();
        var started = await verifications.StartAsync(id, sampleSize, Domain.VerificationTrigger.Manual, cancellationToken);
        var verification = started.Value ?? throw new CliException(started.Detail is null ? OneLine(started.Errors!) : started.Detail + ".");
        using (cancellationToken.Register(() => _ = verifications.CancelAsync(verification.Id, CancellationToken.None)))
        {
            await verifications.WhenIdleAsync(id);
        }

        return VerificationResponse.From((await verifications.GetAsync(verification.Id, CancellationToken.None))!);
    }

    public async ValueTask DisposeAsync() => await services.DisposeAsync();

    private static ServiceProvider Compose(IConfiguration configuration)
    {
        var settings = configuration.ReadZenithOptions();
        return new ServiceCollection()
            .AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error))
            .AddZenith(configuration, settings)
            .BuildServiceProvider();
    }

    private static string OneLine(IReadOnlyDictionary<string, string[]> errors) => string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}"));

    private async Task<ConnectorView> FindAsync(string name, CancellationToken cancellationToken) =>
        await Connectors.FindByNameAsync(name, cancellationToken) ?? throw new CliException($"No connector named \"{name}\" (zenith connectors list shows them).");
}
