using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;

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
        services.AddSingleton<LogStore>();
        services.AddSingleton<CheckpointStore>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<CheckpointStore>());
        services.AddHostedService<MigrationRunner>();
        return services;
    }
}

/// <summary>Applies migrations before anything else starts (registered first among hosted services).</summary>
internal sealed class MigrationRunner(Migrations migrations, RunStore runs, MetadataFiles files, TimeProvider time, IOptions<ZenithOptions> options, ILogger<MigrationRunner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = options.Value;
        files.WarnOnce(logger);
        await migrations.ApplyAsync(cancellationToken);
        await runs.CloseAbandonedAsync(time.GetUtcNow(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
