using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Metadata;

/// <summary>The store on a real SQLite file in a temp directory.</summary>
public sealed class MetadataStoreTests : IAsyncLifetime
{
    private const string MongoPassword = "m0ngo-Pa55";
    private const string ClickHousePassword = "cl1ck-Pa55";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory directory = new();
    private ServiceProvider services = null!;

    private ConnectorStore Connectors => services.GetRequiredService<ConnectorStore>();

    private RunStore Runs => services.GetRequiredService<RunStore>();

    private LogStore Logs => services.GetRequiredService<LogStore>();

    private MetadataDatabase Database => services.GetRequiredService<MetadataDatabase>();

    public async Task InitializeAsync()
    {
        services = Build();
        await services.GetRequiredService<Migrations>().ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Migrations_are_versioned_and_applied_once()
    {
        var migrations = services.GetRequiredService<Migrations>();
        Assert.Empty(await migrations.ApplyAsync(CancellationToken.None));
        Assert.Equal(Migrations.LatestVersion, await migrations.CurrentVersionAsync(CancellationToken.None));
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode;"));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("PRAGMA auto_vacuum;")); // incremental
    }

    [Fact]
    public async Task Passwords_are_encrypted_at_rest_and_come_back_whole_inside_the_process()
    {
        var created = await Connectors.CreateAsync(Definition("orders"), CancellationToken.None);
        Assert.Equal("mongodb://app:***@mongo:27017/?authSource=admin", created.Definition.Source.Uri);
        var unsealed = (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!;
        Assert.Equal($"mongodb://app:{MongoPassword}@mongo:27017/?authSource=admin", unsealed.Definition.Source.Uri);
        Assert.Equal($"http://default:{ClickHousePassword}@clickhouse:8123", unsealed.Definition.Destination.Uri);

        await using (var connection = await Database.OpenAsync(CancellationToken.None))
        {
            var row = await connection.QuerySingleAsync<(string SourceUri, string SourceSecret, string DestUri)>(
                "SELECT source_uri, source_secret, dest_uri FROM connectors WHERE id = @id;", new { id = created.Id });
            Assert.Equal("mongodb://app:***@mongo:27017/?authSource=admin", row.SourceUri);
            Assert.Equal("http://default:***@clickhouse:8123", row.DestUri);
            Assert.DoesNotContain(MongoPassword, row.SourceSecret, StringComparison.Ordinal);
            await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var file = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Database.FilePath));
        Assert.DoesNotContain(MongoPassword, file, StringComparison.Ordinal);
        Assert.DoesNotContain(ClickHousePassword, file, StringComparison.Ordinal);
        Assert.True(Directory.EnumerateFiles(Path.Combine(directory.Path, "keys")).Any(), "the key ring lives in keys/ beside the database");

        // A new process (new provider, same key ring) reads the passwords back.
        await using var again = Build();
        var reread = await again.GetRequiredService<ConnectorStore>().UnsealAsync(created.Id, CancellationToken.None);
        Assert.Equal(unsealed.Definition.Source.Uri, reread!.Definition.Source.Uri);
    }

    [Theory]
    [InlineData("mongodb://app:***@mongo:27017/?authSource=admin")]
    [InlineData("mongodb://app@mongo:27017/?authSource=admin")]
    public async Task An_update_with_the_masked_password_or_none_keeps_the_stored_one(string sentUri)
    {
        var created = await Connectors.CreateAsync(Definition("keep"), CancellationToken.None);
        var update = Definition("keep") with { Source = created.Definition.Source with { Uri = sentUri, Collection = "other" } };
        var updated = await Connectors.UpdateAsync(created.Id, update, CancellationToken.None);
        Assert.Equal($"mongodb://app:{MongoPassword}@mongo:27017/?authSource=admin", (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!.Definition.Source.Uri);
        Assert.Equal("other", updated!.Definition.Source.Collection);

        await Connectors.UpdateAsync(created.Id, update with { Source = update.Source with { Uri = "mongodb://app:new-pw@mongo:27017/" } }, CancellationToken.None);
        Assert.Equal("mongodb://app:new-pw@mongo:27017/", (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!.Definition.Source.Uri);
    }

    [Fact]
    public async Task An_empty_password_is_kept_as_written_and_never_becomes_the_mask()
    {
        // ClickHouse's default user has an empty password: "default:@host" must reach the driver as it was sent.
        var empty = Definition("empty") with { Destination = Definition("empty").Destination with { Uri = "http://default:@clickhouse:8123" } };
        var created = await Connectors.CreateAsync(empty, CancellationToken.None);
        Assert.Equal("http://default:@clickhouse:8123", (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!.Definition.Destination.Uri);

        // A masked password with nothing stored to keep is dropped, not sent to the server as "***".
        var masked = Definition("masked") with { Source = Definition("masked").Source with { Uri = "mongodb://app:***@mongo:27017/?authSource=admin" } };
        var stored = await Connectors.CreateAsync(masked, CancellationToken.None);
        Assert.Equal("mongodb://app@mongo:27017/?authSource=admin", (await Connectors.UnsealAsync(stored.Id, CancellationToken.None))!.Definition.Source.Uri);
    }

    [Fact]
    public async Task A_pause_that_lands_while_a_run_is_recorded_is_not_overwritten()
    {
        var created = await Connectors.CreateAsync(Definition("race"), CancellationToken.None);
        var seen = created.Summary with { ConsecutiveFailures = 0 };
        await Connectors.SetStatusAsync(created.Id, ConnectorStatus.Paused, resetFailures: false, CancellationToken.None);

        // The run's verdict was taken from the connector as it was before the pause (active, 0 failures).
        await Connectors.RecordRunAsync(created.Id, seen, ConnectorStatus.Error, 3, time.GetUtcNow(), succeeded: false, CancellationToken.None);
        var after = (await Connectors.GetAsync(created.Id, CancellationToken.None))!;
        Assert.Equal(ConnectorStatus.Paused, after.Status);
        Assert.Equal(0, after.ConsecutiveFailures);
        Assert.Equal(time.GetUtcNow(), after.LastAttemptAt);

        // Unchanged since the verdict: it applies.
        await Connectors.RecordRunAsync(created.Id, after.Summary, ConnectorStatus.Paused, 1, time.GetUtcNow(), succeeded: false, CancellationToken.None);
        Assert.Equal(1, (await Connectors.GetAsync(created.Id, CancellationToken.None))!.ConsecutiveFailures);
    }

    [Fact]
    public async Task Names_are_unique_ignoring_case()
    {
        await Connectors.CreateAsync(Definition("Visits"), CancellationToken.None);
        await Assert.ThrowsAsync<DuplicateConnectorNameException>(() => Connectors.CreateAsync(Definition("visits"), CancellationToken.None));
    }

    [Fact]
    public async Task Ten_thousand_runs_across_twenty_connectors_keep_the_file_within_a_few_megabytes()
    {
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await Connectors.CreateAsync(Definition($"c{i}"), CancellationToken.None)).Id);
        }

        var result = new SyncRunResult(SyncOutcome.Failed, 120_000, 119_990, 10, 120, 53_120_000, TimeSpan.FromSeconds(2),
            null, "ClickHouse at clickhouse:8123 refused the connection (a realistic, fairly long error message for the history)",
            ErrorDetail: string.Concat(Enumerable.Repeat("System.TimeoutException: A timeout occurred after 10000ms selecting a server (the driver's dump). ", 40)));
        for (var run = 0; run < 10_000; run++)
        {
            var connector = ids[run % ids.Count];
            var record = await Runs.CreateAsync(connector, RunTrigger.Schedule, time.GetUtcNow(), CancellationToken.None);
            await Logs.AppendAsync(LogSeverity.Info, connector, record.Id, $"Run {record.Id} started (schedule).", CancellationToken.None);
            await Runs.UpdateProgressAsync(record.Id, new SyncProgress(1000, 1000, 0, 1, 400_000), time.GetUtcNow(), CancellationToken.None);
            await Runs.FinishAsync(record.Id, RunStatus.Failed, result, time.GetUtcNow(), result.Error, result.ErrorDetail, CancellationToken.None);
            await Logs.AppendAsync([new LogEntry(time.GetUtcNow(), LogSeverity.Error, connector, record.Id, $"Run {record.Id} failed: {result.Error}", result.ErrorDetail)], CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await using var connection = await Database.OpenAsync(CancellationToken.None);
        Assert.Equal(20 * 100, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs;"));
        Assert.Equal(20 * 500, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM logs;"));
        Assert.Equal(100, (await Runs.ListAsync(ids[0], 500, CancellationToken.None)).Count);
        await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        var size = new FileInfo(Database.FilePath).Length + new FileInfo(Database.FilePath + "-wal").Length;
        Assert.True(size < 3 * 1024 * 1024, $"database + WAL is {size / 1024} KiB");
    }

    /// <summary>Issue 14, item 11: the history is bounded per connector, so one connector's flood never erases another's.</summary>
    [Fact]
    public async Task One_connectors_flood_of_lines_never_prunes_another_connectors_history()
    {
        var quiet = (await Connectors.CreateAsync(Definition("quiet"), CancellationToken.None)).Id;
        var noisy = (await Connectors.CreateAsync(Definition("noisy"), CancellationToken.None)).Id;
        await Logs.AppendAsync(LogSeverity.Info, quiet, null, "the quiet connector's only line", CancellationToken.None);
        await Logs.AppendAsync(LogSeverity.Info, null, null, "a line of the service", CancellationToken.None);
        for (var burst = 0; burst < 3; burst++)
        {
            var lines = Enumerable.Range(0, 400).Select(i => new LogEntry(time.GetUtcNow(), LogSeverity.Warning, noisy, null, $"noise {burst}-{i}")).ToList();
            await Logs.AppendAsync(lines, CancellationToken.None);
        }

        Assert.Equal(["the quiet connector's only line"], (await Logs.ListAsync(quiet, null, 500, CancellationToken.None)).Select(l => l.Message));
        await using (var connection = await Database.OpenAsync(CancellationToken.None))
        {
            Assert.Equal("a line of the service", await connection.ExecuteScalarAsync<string>("SELECT message FROM logs WHERE connector_id IS NULL;"));
        }

        var kept = await Logs.ListAsync(noisy, null, 500, CancellationToken.None);
        Assert.Equal(500, kept.Count);
        Assert.Equal(("noise 2-399", "noise 1-300"), (kept[0].Message, kept[^1].Message));
    }

    [Fact]
    public async Task Concurrent_runs_writing_at_once_do_not_fail()
    {
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await Connectors.CreateAsync(Definition($"p{i}"), CancellationToken.None)).Id);
        }

        var checkpoints = services.GetRequiredService<CheckpointStore>();
        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            for (var batch = 0; batch < 50; batch++)
            {
                var run = await Runs.CreateAsync(id, RunTrigger.Manual, time.GetUtcNow(), CancellationToken.None);
                await Runs.UpdateProgressAsync(run.Id, new SyncProgress(batch, batch, 0, 1, 10), time.GetUtcNow(), CancellationToken.None);
                await checkpoints.SaveAsync(id, new Checkpoint($"{{\"n\":{batch}}}", $"n = {batch}"), CancellationToken.None);
                await Logs.AppendAsync(LogSeverity.Info, id, run.Id, "batch", CancellationToken.None);
            }
        })));

        foreach (var id in ids)
        {
            Assert.Equal("n = 49", (await checkpoints.LoadAsync(id, CancellationToken.None))!.Display);
        }
    }

    /// <summary>Issue 14, item 5: secrets in options are encrypted like the password and never stored in clear.</summary>
    [Fact]
    public async Task Secret_options_are_encrypted_at_rest_and_come_back_whole()
    {
        const string token = "FwoGZXIvYXdzEJr-session-token";
        const string keyPassword = "k3y-file-Pa55";
        var uri = $"mongodb://app:{MongoPassword}@mongo:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{token}&tls=true&tlsCertificateKeyFilePassword={keyPassword}";
        var definition = Definition("options") with { Source = Definition("options").Source with { Uri = uri } };
        var created = await Connectors.CreateAsync(definition, CancellationToken.None);

        Assert.Equal("mongodb://app:***@mongo:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:***&tls=true&tlsCertificateKeyFilePassword=***", created.Definition.Source.Uri);
        Assert.Equal(uri, (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!.Definition.Source.Uri);

        // The masked form sent back keeps every stored secret.
        await Connectors.UpdateAsync(created.Id, definition with { Source = created.Definition.Source }, CancellationToken.None);
        Assert.Equal(uri, (await Connectors.UnsealAsync(created.Id, CancellationToken.None))!.Definition.Source.Uri);

        await using (var connection = await Database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var file = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Database.FilePath));
        foreach (var secret in new[] { token, keyPassword, MongoPassword })
        {
            Assert.DoesNotContain(secret, file, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Migration_4_moves_secret_options_that_older_versions_kept_in_clear()
    {
        await using var old = Build(Path.Combine(directory.Path, "old.db"));
        var database = old.GetRequiredService<MetadataDatabase>();
        var migrations = old.GetRequiredService<Migrations>();
        await migrations.ApplyUpToAsync(1, CancellationToken.None);

        // What version 1 wrote: the password masked and encrypted, the key file's password in the URI as it was sent.
        var password = old.GetRequiredService<SecretProtector>().Protect(MongoPassword);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO connectors (name, source_uri, source_secret, source_database, source_collection, dest_uri, dest_database, dest_table,
                    sync_mode, cursor_field, interval_seconds, mapping_separator, mapping_max_depth, sync_status, created_at, updated_at)
                VALUES ('legacy', 'mongodb://app:***@mongo/?tlsCertificateKeyFilePassword=Clear-K3y', @password, 'm', 'c', 'http://ch:8123/?password=Clear-Ch', 'a', 't',
                    'incremental_id', 'updated_at', 60, '_', 3, 'active', 0, 0);
                """, new { password });
        }

        Assert.Equal([.. Migrations.Versions.Skip(1)], await migrations.ApplyAsync(CancellationToken.None));
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            var row = await connection.QuerySingleAsync<(string SourceUri, string DestUri)>("SELECT source_uri, dest_uri FROM connectors;");
            Assert.Equal(("mongodb://app:***@mongo/?tlsCertificateKeyFilePassword=***", "http://ch:8123/?password=***"), row);
        }

        var unsealed = await old.GetRequiredService<ConnectorStore>().UnsealAsync(1, CancellationToken.None);
        Assert.Equal($"mongodb://app:{MongoPassword}@mongo/?tlsCertificateKeyFilePassword=Clear-K3y", unsealed!.Definition.Source.Uri);
        Assert.Equal("http://ch:8123/?password=Clear-Ch", unsealed.Definition.Destination.Uri);
    }

    /// <summary>Issue 14, item 10: a database copied without its keys/ (the key ring) affects only the connectors it encrypted.</summary>
    [Fact]
    public async Task A_database_copied_without_its_keys_marks_only_the_connectors_it_cannot_decrypt()
    {
        var encrypted = await Connectors.CreateAsync(Definition("encrypted"), CancellationToken.None);
        var plain = await Connectors.CreateAsync(Definitions.Of("plain", "mongodb://mongo:27017/", "http://clickhouse:8123"), CancellationToken.None);
        await using (var connection = await Database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        using var copy = new TempDirectory();
        File.Copy(Database.FilePath, Path.Combine(copy.Path, "zenith.db"));
        await using var restored = Build(Path.Combine(copy.Path, "zenith.db"));
        var store = restored.GetRequiredService<ConnectorStore>();

        Assert.Equal(["encrypted", "plain"], (await store.ListAsync(CancellationToken.None)).Select(c => c.Definition.Name));
        var error = await Assert.ThrowsAsync<CredentialsUnreadableException>(() => store.UnsealAsync(encrypted.Id, CancellationToken.None));
        Assert.Contains("enter the password again", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.UnsealAsync(plain.Id, CancellationToken.None));
        Assert.Equal([true, false], (await store.ListSummariesAsync(CancellationToken.None)).Select(s => s.CredentialsUnreadable));

        // The masked form cannot be resolved any more: the edit must carry the password, and then the mark goes.
        var edit = Definition("encrypted") with { Source = encrypted.Definition.Source };
        var refused = await Assert.ThrowsAsync<PasswordRequiredException>(() => store.UpdateAsync(encrypted.Id, edit, CancellationToken.None));
        Assert.Contains("credentials unreadable", refused.Message, StringComparison.Ordinal);
        Assert.True((await store.GetAsync(encrypted.Id, CancellationToken.None))!.CredentialsUnreadable);
        var retyped = Definition("encrypted") with { Source = edit.Source with { Uri = "mongodb://app:typed-again@mongo:27017/?authSource=admin" }, Destination = edit.Destination with { Uri = $"http://default:{ClickHousePassword}@clickhouse:8123" } };
        await store.UpdateAsync(encrypted.Id, retyped, CancellationToken.None);
        Assert.False((await store.GetAsync(encrypted.Id, CancellationToken.None))!.CredentialsUnreadable);
        Assert.Equal("mongodb://app:typed-again@mongo:27017/?authSource=admin", (await store.UnsealAsync(encrypted.Id, CancellationToken.None))!.Definition.Source.Uri);
    }

    private ServiceProvider Build(string? path = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton(Options.Create(new ZenithOptions()));
        collection.AddMetadataStore(path ?? Path.Combine(directory.Path, "zenith.db"));
        return collection.BuildServiceProvider();
    }

    private static ConnectorDefinition Definition(string name) =>
        Definitions.Of(name, $"mongodb://app:{MongoPassword}@mongo:27017/?authSource=admin", $"http://default:{ClickHousePassword}@clickhouse:8123");
}
