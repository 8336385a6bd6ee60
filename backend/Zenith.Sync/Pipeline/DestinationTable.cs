using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The destination table's lifecycle for one run: which table the rows go to (a full run or a resync loads a staging table of its
/// own, named and marked with its run), creating it from a sample, evolving it when documents bring fields or types it lacks, and
/// swapping it in at the end. Staging tables a killed run left behind are dropped by the next run. Every statement comes from
/// <see cref="Ddl"/>; every one is retried through the run's <see cref="RetryLoop"/>, and each retry is safe to repeat.
/// </summary>
internal sealed class DestinationTable
{
    /// <summary>What a staging table's comment starts with (it stays on the table once swapped in: who loaded it).</summary>
    public const string LoadedByPrefix = "loaded by Zenith run ";

    private readonly ConnectorSpec _connector;
    private readonly ClickHouseSink _sink;
    private readonly RetryLoop _retry;
    private readonly ISyncObserver _observer;
    private readonly string _mark;
    private volatile TableSchema _schema = TableSchema.Empty;

    public DestinationTable(ConnectorSpec connector, RunOptions run, ClickHouseSink sink, RetryLoop retry, ISyncObserver observer)
    {
        _connector = connector;
        _sink = sink;
        _retry = retry;
        _observer = observer;
        Database = connector.Destination.Database;
        Staged = connector.Mode == SyncMode.Full || run.Resync;
        Name = Staged ? Ddl.StagingName(connector.Destination.Table, run.RunId) : connector.Destination.Table;
        _mark = LoadedByPrefix + run.RunId;
    }

    public string Database { get; }

    /// <summary>The table this run writes: the destination, or its own staging table (full mode, resync).</summary>
    public string Name { get; }

    /// <summary>Whether the run loads a staging table and swaps it in at the end.</summary>
    public bool Staged { get; }

    /// <summary>The columns as the table has them now; read by the transform workers, changed only by <see cref="EvolveAsync"/>.</summary>
    public TableSchema Schema => _schema;

    /// <summary>
    /// Makes the table ready: the database; staging tables of runs that did not finish dropped; the table read as it is, or (always
    /// for a staging table) created from a sample of the collection (<paramref name="sampleAsync"/>); insert deduplication on.
    /// </summary>
    public async Task PrepareAsync(Func<CancellationToken, Task<RawDocumentBuffer?>> sampleAsync, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sampleAsync);
        await ExecuteAsync(Ddl.CreateDatabase(Database), ct);
        await DropAbandonedStagingAsync(ct);
        var existing = Staged ? null : await _sink.ReadSchemaAsync(Database, Name, ct);
        if (existing is null)
        {
            var builder = new SchemaBuilder(_connector.Mapping);
            using (var sample = await sampleAsync(ct))
            {
                if (sample is not null)
                {
                    builder.ObserveAll(sample.Written.Documents);
                }
            }

            var sampled = builder.Build().Schema;
            await ExecuteAsync(Ddl.CreateTable(Database, Name, sampled, _connector.Table, Staged ? _mark : null), ct);
            _observer.Note($"created table {Database}.{Name} with {sampled.Columns.Count + 4} columns");

            // Read back: which columns ClickHouse put in the keys (pinned, never widened).
            existing = await _sink.ReadSchemaAsync(Database, Name, ct) ?? throw new InvalidOperationException($"table {Database}.{Name} vanished after it was created");
        }
        else if (!await _sink.DeduplicatesInsertsAsync(Database, Name, ct))
        {
            // A table from an older Zenith: without the setting, a retried insert whose first reply was lost would be written twice.
            await ExecuteAsync(Ddl.EnableDeduplication(Database, Name), ct);
            _observer.Note($"table {Database}.{Name}: enabled insert deduplication ({Ddl.DeduplicationSetting})");
        }

        _schema = existing;
    }

    /// <summary>Documents brought fields or types the table lacks: the schema grows to hold them and the table is altered.</summary>
    public async Task EvolveAsync(RawDocumentBuffer documents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new SchemaBuilder(_connector.Mapping, _schema);
        builder.ObserveAll(documents.Documents);
        var (schema, change) = builder.Build();
        if (Ddl.AlterTable(Database, Name, change) is { } alter)
        {
            await ExecuteAsync(alter, ct);
            var added = change.Added.Count > 0 ? $"added {string.Join(", ", change.Added.Select(c => $"{c.Name} {c.Type}"))}" : null;
            var widened = change.Widened.Count > 0 ? $"widened {string.Join(", ", change.Widened.Select(c => $"{c.Name} to {c.Type}"))}" : null;
            _observer.Note($"table {Database}.{Name}: {string.Join("; ", new[] { added, widened }.Where(s => s is not null))}");
        }

        _schema = schema;
    }

    /// <summary>
    /// The run loaded everything: a staging table replaces the destination atomically (readers see the old table or the new one,
    /// never an empty or partial one) and the old one is dropped; otherwise nothing is left to do. The swap is retried only after
    /// checking which table is which, so a retry after a lost reply never swaps the old table back.
    /// </summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        if (!Staged)
        {
            return;
        }

        var target = _connector.Destination.Table;
        await _retry.RunAsync(
            async c =>
            {
                if (await _sink.TableCommentAsync(Database, target, c) == _mark)
                {
                    // An earlier attempt did swap; only its reply was lost.
                    return;
                }

                await _sink.ExecuteAsync(await _sink.TableExistsAsync(Database, target, c) ? Ddl.ExchangeTables(Database, Name, target) : Ddl.RenameTable(Database, Name, target), c);
            },
            ct);

        // The previous table, under the staging name now (nothing when it was a rename).
        await ExecuteAsync(Ddl.DropTable(Database, Name), ct);
    }

    /// <summary>Staging tables of this destination that are not this run's: a run killed before its swap left them.</summary>
    private async Task DropAbandonedStagingAsync(CancellationToken ct)
    {
        var prefix = _connector.Destination.Table + Ddl.StagingInfix;
        IReadOnlyList<(string Name, string Comment)> tables = [];
        await _retry.RunAsync(async c => tables = await _sink.TablesStartingWithAsync(Database, prefix, c), ct);
        foreach (var (name, comment) in tables)
        {
            // The plain name is the staging table of Zenith versions before runs had their own.
            if (name != Name && (name == prefix || (name.StartsWith(prefix + "_", StringComparison.Ordinal) && comment.StartsWith(LoadedByPrefix, StringComparison.Ordinal))))
            {
                await ExecuteAsync(Ddl.DropTable(Database, name), ct);
                _observer.Note($"dropped {Database}.{name}, the staging table of a run that did not finish");
            }
        }
    }

    private Task ExecuteAsync(string sql, CancellationToken ct) => _retry.RunAsync(c => _sink.ExecuteAsync(sql, c), ct);
}
