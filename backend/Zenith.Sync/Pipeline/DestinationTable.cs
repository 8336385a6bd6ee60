using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The destination table's lifecycle for one run: which table the rows go to (a full run or a resync loads a staging table of its
/// own, named and marked with its run), creating it from a sample, evolving it when documents bring fields or types it lacks, and
/// swapping it in at the end. The existing destination table's columns are the starting point of every run, staging included, so
/// a column keeps its name and meaning from run to run. Staging tables a killed run left behind are dropped by the next run. Every
/// statement comes from <see cref="Ddl"/>; every one is retried through the run's <see cref="RetryLoop"/>, and each retry is safe
/// to repeat.
/// </summary>
internal sealed class DestinationTable
{
    private readonly ConnectorSpec _connector;
    private readonly ClickHouseSink _sink;
    private readonly RetryLoop _retry;
    private readonly ISyncObserver _observer;
    private readonly string _runId;
    private volatile TableSchema _schema = TableSchema.Empty;
    private ClickHouseFeatures _features = ClickHouseFeatures.Legacy;

    public DestinationTable(ConnectorSpec connector, RunOptions run, ClickHouseSink sink, RetryLoop retry, ISyncObserver observer)
    {
        _connector = connector;
        _sink = sink;
        _retry = retry;
        _observer = observer;
        Database = connector.Destination.Database;
        Staged = connector.Mode == SyncMode.Full || run.Resync;
        Name = Staged ? Ddl.StagingName(connector.Destination.Table, run.RunId) : connector.Destination.Table;
        _runId = run.RunId;
    }

    public string Database { get; }

    /// <summary>The table this run writes: the destination, or its own staging table (full mode, resync).</summary>
    public string Name { get; }

    /// <summary>Whether the run loads a staging table and swaps it in at the end.</summary>
    public bool Staged { get; }

    /// <summary>The columns as the table has them now; read by the transform workers, changed only by <see cref="EvolveAsync"/>.</summary>
    public TableSchema Schema => _schema;

    /// <summary>
    /// Makes the table ready: the server's features; the database; staging tables of runs that did not finish dropped; the table
    /// read as it is, or (always for a staging table) created from its columns and a sample of the collection
    /// (<paramref name="sampleAsync"/>); insert deduplication on; and the columns a table of an older Zenith lacks
    /// (<c>_zenith_extra</c>, <c>_zenith_doc</c>) added. A table made with other mapping rules is refused unless this run rebuilds it.
    /// </summary>
    public async Task PrepareAsync(Func<CancellationToken, Task<RawDocumentBuffer?>> sampleAsync, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sampleAsync);
        (_, _features) = await _retry.RunAsync(_sink.FeaturesAsync, ct);
        await ExecuteAsync(Ddl.CreateDatabase(Database), ct);
        await DropAbandonedStagingAsync(ct);
        var mapping = _connector.Mapping;
        var fingerprint = MappingRules.Fingerprint(mapping);
        var destination = await _retry.RunAsync(c => _sink.ReadTableAsync(Database, _connector.Destination.Table, c), ct);
        var sameRules = destination is not null && (destination.Fingerprint is null || destination.Fingerprint == fingerprint);
        if (Staged)
        {
            if (destination is not null && !sameRules)
            {
                _observer.Note($"the mapping rules changed since {Database}.{_connector.Destination.Table} was made: this run builds it anew with the new rules");
            }

            await CreateAsync(sameRules ? destination : null, sampleAsync, ct);
            return;
        }

        if (destination is null)
        {
            await CreateAsync(null, sampleAsync, ct);
            return;
        }

        if (!sameRules)
        {
            throw new SyncConfigurationException(
                $"table {Database}.{Name} was made with other mapping rules than the connector's now; its rows would change meaning. "
                + "Resync the connector to reload it into a new table with the new rules, or restore the rules.");
        }

        if (destination.Deduplication == InsertDeduplication.Off)
        {
            // A table from an older Zenith: without the setting, a retried insert whose first reply was lost would be written twice.
            await ExecuteAsync(Ddl.EnableDeduplication(Database, Name), ct);
            _observer.Note($"table {Database}.{Name}: enabled insert deduplication ({Ddl.DeduplicationSetting})");
        }
        else if (destination.Deduplication == InsertDeduplication.NotApplicable)
        {
            // A table the user made with another engine (a Null table feeding materialized views, a Buffer, a Distributed table):
            // it has no such setting, so the tables behind it decide whether a retried insert is written once.
            _observer.Note($"table {Database}.{Name} has engine {destination.Engine}, which does not deduplicate inserts itself: a retried insert is written once only if the tables it feeds deduplicate (MergeTree with {Ddl.DeduplicationSetting}, or Replicated)");
        }

        if (ChangeLog && !destination.IsChangeLog)
        {
            throw new SyncConfigurationException(
                $"table {Database}.{Name} was not made for change_stream (it has no {TableSchema.DeletedColumn} column); resync the connector to rebuild it, or choose another table");
        }

        // The table says which columns are in its keys (system.columns): those never widen, whatever the options say now.
        var start = TableSchema.Create(destination.Columns, mapping, keyColumns: destination.KeyColumns, hasIdType: destination.HasIdType, isChangeLog: destination.IsChangeLog);
        var (schema, change) = new SchemaBuilder(mapping, start, _features).Build();
        await AlterAsync(change, ct);
        _schema = schema;
        await ReplaceViewAsync(ct);
    }

    /// <summary>change_stream: the table is <c>ReplacingMergeTree(version, is_deleted)</c>, with a view of its current rows.</summary>
    public bool ChangeLog => _connector.Mode == SyncMode.ChangeStream;

    /// <summary>The current-rows view of a change-stream table, made again for the table's columns as they are now (not for a staging table: its swap does it).</summary>
    private async Task ReplaceViewAsync(CancellationToken ct)
    {
        if (ChangeLog && !Staged)
        {
            await ExecuteAsync(Ddl.CreateCurrentView(Database, _connector.Destination.Table), ct);
        }
    }

    /// <summary>Creates the run's table from the destination's columns (when it has them and the same rules) and a sample.</summary>
    private async Task CreateAsync(ExistingTable? start, Func<CancellationToken, Task<RawDocumentBuffer?>> sampleAsync, CancellationToken ct)
    {
        // The new table's keys come from the connector's options: pin those columns before the table exists to say so itself.
        var empty = TableSchema.Create([], _connector.Mapping, isChangeLog: ChangeLog);
        var builder = new SchemaBuilder(_connector.Mapping, start is null ? empty : PinFromOptions(TableSchema.Create(start.Columns, _connector.Mapping, isChangeLog: ChangeLog)), _features);
        using (var sample = await sampleAsync(ct))
        {
            if (sample is not null)
            {
                builder.ObserveAll(sample.Written.Documents);
            }
        }

        var (schema, _) = builder.Build();
        await ExecuteAsync(Ddl.CreateTable(Database, Name, schema, _connector.Table, Staged ? _runId : null, ChangeLog), ct);
        _observer.Note($"created table {Database}.{Name} with {schema.Columns.Count + TableSchema.MetadataColumns.Count + (ChangeLog ? 1 : 0)} columns");
        foreach (var warning in builder.Preview(schema).Warnings)
        {
            _observer.Note($"table {Database}.{Name}: {warning}");
        }

        // Read back: which columns ClickHouse put in the keys (pinned, never widened).
        var created = await _retry.RunAsync(c => _sink.ReadTableAsync(Database, Name, c), ct)
            ?? throw new InvalidOperationException($"table {Database}.{Name} vanished after it was created");
        _schema = schema.WithKey(created.KeyColumns, created.HasIdType);
        await ReplaceViewAsync(ct);
    }

    /// <summary>Documents brought fields or types the table lacks: the schema grows to hold them and the table is altered.</summary>
    public async Task EvolveAsync(RawDocumentBuffer documents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new SchemaBuilder(_connector.Mapping, _schema, _features);
        builder.ObserveAll(documents.Documents);
        var (schema, change) = builder.Build();
        var altered = await AlterAsync(change, ct);
        foreach (var warning in builder.Preview(schema).Warnings)
        {
            _observer.Note($"table {Database}.{Name}: {warning}");
        }

        _schema = schema;
        if (altered)
        {
            await ReplaceViewAsync(ct);
        }
    }

    /// <summary>Alters the table for <paramref name="change"/>; false when there was nothing to alter.</summary>
    private async Task<bool> AlterAsync(SchemaChange change, CancellationToken ct)
    {
        if (Ddl.AlterTable(Database, Name, change) is not { } alter)
        {
            return false;
        }

        await ExecuteAsync(alter, ct);
        var added = change.Added.Count > 0 ? $"added {string.Join(", ", change.Added.Select(c => $"{c.Name} {c.Type}"))}" : null;
        var widened = change.Widened.Count > 0 ? $"widened {string.Join(", ", change.Widened.Select(c => $"{c.Name} to {c.Type}"))}" : null;
        _observer.Note($"table {Database}.{Name}: {string.Join("; ", new[] { added, widened }.Where(s => s is not null))}");
        return true;
    }

    /// <summary>The key columns a table made with the connector's options will have (ORDER BY, PARTITION BY) never widen.</summary>
    private TableSchema PinFromOptions(TableSchema schema) =>
        schema.WithKey(KeyColumns.Pinned(_connector.Table, schema.Columns.Select(c => c.Name)), hasIdType: true);

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
                if ((await _sink.TableMarkAsync(Database, target, c)).LoadedByRun == _runId)
                {
                    // An earlier attempt did swap; only its reply was lost.
                    return;
                }

                await _sink.ExecuteAsync(await _sink.TableExistsAsync(Database, target, c) ? Ddl.ExchangeTables(Database, Name, target) : Ddl.RenameTable(Database, Name, target), c);
            },
            ct);

        // The previous table, under the staging name now (nothing when it was a rename).
        await ExecuteAsync(Ddl.DropTable(Database, Name), ct);
        if (ChangeLog)
        {
            await ExecuteAsync(Ddl.CreateCurrentView(Database, target), ct);
        }
    }

    /// <summary>Staging tables of this destination that are not this run's: a run killed before its swap left them.</summary>
    private async Task DropAbandonedStagingAsync(CancellationToken ct)
    {
        var prefix = _connector.Destination.Table + Ddl.StagingInfix;
        IReadOnlyList<(string Name, TableMark Mark)> tables = [];
        await _retry.RunAsync(async c => tables = await _sink.TablesStartingWithAsync(Database, prefix, c), ct);
        foreach (var (name, mark) in tables)
        {
            // The plain name is the staging table of Zenith versions before runs had their own.
            if (name != Name && (name == prefix || (name.StartsWith(prefix + "_", StringComparison.Ordinal) && mark.LoadedByRun is not null)))
            {
                await ExecuteAsync(Ddl.DropTable(Database, name), ct);
                _observer.Note($"dropped {Database}.{name}, the staging table of a run that did not finish");
            }
        }
    }

    private Task ExecuteAsync(string sql, CancellationToken ct) => _retry.RunAsync(c => _sink.ExecuteAsync(sql, c), ct);
}
