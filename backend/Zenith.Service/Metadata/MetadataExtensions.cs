using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

public static class MetadataExtensions
{
    /// <summary>The SQLite store, its migrations, and the Data Protection key ring in <c>keys/</c> beside the file.</summary>
    public static IServiceCollection AddMetadataStore(this IServiceCollection services, string databasePath)
    {
        var database = new MetadataDatabase(databasePath);
        var keys = Path.Combine(Path.GetDirectoryName(database.FilePath) ?? ".", "keys");
        // Before SQLite or Data Protection create anything with the default umask.
        services.AddSingleton(new MetadataFiles(database.FilePath, keys).Secure());
        services.AddDataProtection()
            .SetApplicationName("Zenith")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.AddSingleton(database);
        services.AddSingleton<Migrations>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<ConnectionSecrets>();
        services.AddSingleton<ConnectorStore>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<VerificationStore>();
        services.AddSingleton<LogStore>();
        services.AddSingleton<CheckpointStore>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<CheckpointStore>());
        services.AddHostedService<MigrationRunner>();
        return services;
    }
}

/// <summary>Applies migrations before anything else starts (registered first among hosted services).</summary>
internal sealed class MigrationRunner(
    Migrations migrations, ConnectorStore connectors, RunStore runs, VerificationStore verifications, MetadataFiles files, TimeProvider time, IOptions<ZenithOptions> options, ILogger<MigrationRunner> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = options.Value;
        files.WarnOnce(logger);
        await migrations.ApplyAsync(cancellationToken);
        await runs.CloseAbandonedAsync(time.GetUtcNow(), cancellationToken);
        await verifications.CloseAbandonedAsync(time.GetUtcNow(), cancellationToken);

        // Runs start on their schedule, maybe hours away: whether the saved secrets can still be decrypted (a database restored
        // without its keys) is known at once, and shown, rather than at the next run.
        foreach (var connector in await connectors.ListAsync(cancellationToken))
        {
            try
            {
                await connectors.UnsealAsync(connector.Id, cancellationToken);
            }
            catch (CredentialsUnreadableException)
            {
                // Marked by the store: the connector says so and is not scheduled until its passwords are entered again.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
