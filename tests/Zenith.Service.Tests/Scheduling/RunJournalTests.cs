using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Zenith.Core.Connectors;
using Zenith.Service.Configuration;
using Zenith.Service.Domain;
using Zenith.Service.Metadata;
using Zenith.Service.Runs;
using Zenith.Service.Telemetry;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Scheduling;

/// <summary>A run's journal stores its progress and history lines after each insert, off the pipeline, on a real SQLite file.</summary>
public sealed class RunJournalTests : IAsyncLifetime
{
    private readonly TempDirectory directory = new();
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["metadata_storage:path"] = Path.Combine(directory.Path, "zenith.db") }).Build();
        services = new ServiceCollection().AddLogging().AddZenith(configuration, configuration.ReadZenithOptions()).BuildServiceProvider();
        await services.GetRequiredService<Migrations>().ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Failed_documents_wait_for_their_insert_and_are_summed_up_in_one_line_per_insert()
    {
        var store = services.GetRequiredService<ConnectorStore>();
        var connector = (await store.UnsealAsync((await store.CreateAsync(Definition(), CancellationToken.None)).Id, CancellationToken.None))!;
        var runs = services.GetRequiredService<RunStore>();
        var logs = services.GetRequiredService<LogStore>();
        var run = await runs.CreateAsync(connector.Id, RunTrigger.Manual, DateTimeOffset.UtcNow, CancellationToken.None);
        var journal = new RunJournal(connector, run.Id, runs, services.GetRequiredService<SyncHistory>(), services.GetRequiredService<ZenithMetrics>(), NullLogger.Instance, keep: 500, TimeProvider.System);
        try
        {
            for (var i = 0; i < 1_200; i++)
            {
                journal.DocumentFailed(i.ToString(System.Globalization.CultureInfo.InvariantCulture), i % 3 == 0 ? "value too long" : $"type conflict in field f{i % 5}");
            }

            // Nothing is written per document: the lines wait for the insert they belong to.
            Assert.Empty(await logs.ListAsync(connector.Id, null, 500, CancellationToken.None));
            journal.BatchCommitted(new SyncProgress(1_300, 100, 1_200, 2, 4_096), new SyncProgress(1_300, 100, 1_200, 2, 4_096));
            journal.DocumentFailed("late", "value too long");
            journal.BatchCommitted(new SyncProgress(1, 0, 1, 1, 0), new SyncProgress(1_301, 100, 1_201, 3, 4_096));
        }
        finally
        {
            await journal.DisposeAsync();
        }

        var lines = await logs.ListAsync(connector.Id, null, 500, CancellationToken.None);
        Assert.Equal(
            [
                "1 document not written in this insert: value too long (1). First _id: late.",
                "1200 documents not written in this insert: value too long (400); type conflict in field f0 (160); type conflict in field f1 (160); other reasons (480). First _ids: 0, 1, 2, 3, 4.",
            ],
            lines.Select(l => l.Message));
        Assert.All(lines, l => Assert.Equal((LogSeverity.Warning, run.Id), (l.Level, l.RunId)));
        var recorded = await runs.GetAsync(run.Id, CancellationToken.None);
        Assert.Equal((1_301L, 100L, 1_201L, 3L, 4_096L), (recorded!.RowsRead, recorded.RowsWritten, recorded.RowsFailed, recorded.Batches, recorded.Bytes));
    }

    [Fact]
    public async Task A_note_is_stored_without_waiting_for_an_insert_and_passwords_never_reach_the_history()
    {
        var store = services.GetRequiredService<ConnectorStore>();
        var connector = (await store.UnsealAsync((await store.CreateAsync(Definition(), CancellationToken.None)).Id, CancellationToken.None))!;
        var runs = services.GetRequiredService<RunStore>();
        var logs = services.GetRequiredService<LogStore>();
        var run = await runs.CreateAsync(connector.Id, RunTrigger.Manual, DateTimeOffset.UtcNow, CancellationToken.None);
        await using var journal = new RunJournal(connector, run.Id, runs, services.GetRequiredService<SyncHistory>(), services.GetRequiredService<ZenithMetrics>(), NullLogger.Instance, keep: 500, TimeProvider.System);

        journal.Note("ClickHouse at http://default:J0urnal-pw@ch:8123 said: retrying");
        var line = await UntilAsync(async () => (await logs.ListAsync(connector.Id, null, 10, CancellationToken.None)).SingleOrDefault());
        Assert.Equal("ClickHouse at http://default:***@ch:8123 said: retrying", line.Message);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> read)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static ConnectorDefinition Definition() =>
        Definitions.Of("journal-" + Guid.NewGuid().ToString("N")[..8], "mongodb://app:J0urnal-pw@mongo:27017/", "http://default:J0urnal-pw@ch:8123", "visits");
}
