using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;

namespace Zenith.Sync.Pipeline;

/// <summary>
/// The destination table's lifecycle for one run: which table the rows go to (in full mode a staging table, named here),
/// creating it from a sample, evolving it when documents bring fields or types it lacks, and swapping it in at the end.
/// The existing destination table's columns are the starting point of every run, full-mode staging included, so a column keeps
/// its name and meaning from run to run. Every statement comes from <see cref="Ddl"/>; every one is retried through the run's
/// <see cref="RetryLoop"/>.
/// </summary>
internal sealed class DestinationTable
{
    /// <summary>A full run loads <c>{table}__zenith_staging</c>, then swaps it in.</summary>
    public const string StagingSuffix = "__zenith_staging";

    private readonly ConnectorSpec _connector;
    private readonly ClickHouseSink _sink;
    private readonly RetryLoop _retry;
    private readonly ISyncObserver _observer;
    private volatile TableSchema _schema = TableSchema.Empty;
    private ClickHouseFeatures _features = ClickHouseFeatures.Legacy;

    public DestinationTable(ConnectorSpec connector, ClickHouseSink sink, RetryLoop retry, ISyncObserver observer)
    {
        _connector = connector;
        _sink = sink;
        _retry = retry;
        _observer = observer;
        Database = connector.Destination.Database;
        Name = StagingName(connector);
    }

    public string Database { get; }

    /// <summary>The table this run writes: the destination, or its staging table in full mode.</summary>
    public string Name { get; }

    /// <summary>The columns as the table has them now; read by the transform workers, changed only by <see cref="EvolveAsync"/>.</summary>
    public TableSchema Schema => _schema;

    /// <summary>The table a run of <paramref name="connector"/> loads.</summary>
    public static string StagingName(ConnectorSpec connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        return connector.Mode == SyncMode.Full ? connector.Destination.Table + StagingSuffix : connector.Destination.Table;
    }

    /// <summary>
    /// Makes the table ready: the server's features, the database, a fresh staging table in full mode (a killed run's one is
    /// dropped), the table read as it is or created from a sample of the collection (<paramref name="sampleAsync"/>), insert
    /// deduplication on, and the columns a table of an older Zenith lacks (<c>_zenith_extra</c>, <c>_zenith_doc</c>) added.
    /// </summary>
    public async Task PrepareAsync(Func<CancellationToken, Task<RawDocumentBuffer?>> sampleAsync, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sampleAsync);
        (_, _features) = await _retry.RunAsync(_sink.FeaturesAsync, ct);
        await ExecuteAsync(Ddl.CreateDatabase(Database), ct);
        var mapping = _connector.Mapping;
        var fingerprint = MappingRules.Fingerprint(mapping);
        var destination = await _retry.RunAsync(c => _sink.ReadTableAsync(Database, _connector.Destination.Table, c), ct);
        var sameRules = destination is not null && (destination.Fingerprint is null || destination.Fingerprint == fingerprint);
        if (_connector.Mode == SyncMode.Full)
        {
            await ExecuteAsync(Ddl.DropTable(Database, Name), ct);
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

        if (!destination.DeduplicatesInserts)
        {
            // A table from an older Zenith: without the setting, a retried insert whose first reply was lost would be written twice.
            await ExecuteAsync(Ddl.EnableDeduplication(Database, Name), ct);
            _observer.Note($"table {Database}.{Name}: enabled insert deduplication ({Ddl.DeduplicationSetting})");
        }

        var start = Pin(TableSchema.Create(destination.Columns, mapping));
        var (schema, change) = new SchemaBuilder(mapping, start, _features).Build();
        await AlterAsync(change, ct);
        _schema = Pin(schema);
    }

    private async Task CreateAsync(ExistingTable? start, Func<CancellationToken, Task<RawDocumentBuffer?>> sampleAsync, CancellationToken ct)
    {
        var builder = new SchemaBuilder(_connector.Mapping, start is null ? null : Pin(TableSchema.Create(start.Columns, _connector.Mapping)), _features);
        using (var sample = await sampleAsync(ct))
        {
            if (sample is not null)
            {
                builder.ObserveAll(sample.Documents);
            }
        }

        var (schema, _) = builder.Build();
        await ExecuteAsync(Ddl.CreateTable(Database, Name, schema, _connector.Table), ct);
        _observer.Note($"created table {Database}.{Name} with {schema.Columns.Count + TableSchema.MetadataColumns.Count} columns");
        foreach (var warning in builder.Preview(schema).Warnings)
        {
            _observer.Note($"table {Database}.{Name}: {warning}");
        }

        _schema = Pin(schema);
    }

    /// <summary>Documents brought fields or types the table lacks: the schema grows to hold them and the table is altered.</summary>
    public async Task EvolveAsync(RawDocumentBuffer documents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new SchemaBuilder(_connector.Mapping, _schema, _features);
        builder.ObserveAll(documents.Documents);
        var (schema, change) = builder.Build();
        await AlterAsync(change, ct);
        foreach (var warning in builder.Preview(schema).Warnings)
        {
            _observer.Note($"table {Database}.{Name}: {warning}");
        }

        _schema = Pin(schema);
    }

    private async Task AlterAsync(SchemaChange change, CancellationToken ct)
    {
        if (Ddl.AlterTable(Database, Name, change) is not { } alter)
        {
            return;
        }

        await ExecuteAsync(alter, ct);
        var added = change.Added.Count > 0 ? $"added {string.Join(", ", change.Added.Select(c => $"{c.Name} {c.Type}"))}" : null;
        var widened = change.Widened.Count > 0 ? $"widened {string.Join(", ", change.Widened.Select(c => $"{c.Name} to {c.Type}"))}" : null;
        _observer.Note($"table {Database}.{Name}: {string.Join("; ", new[] { added, widened }.Where(s => s is not null))}");
    }

    /// <summary>The key columns (ORDER BY, PARTITION BY, <c>_id</c>) never widen.</summary>
    private TableSchema Pin(TableSchema schema) => schema.WithKeyColumns(KeyColumns.Pinned(_connector.Table, schema.Columns.Select(c => c.Name)));

    /// <summary>
    /// The run loaded everything: in full mode the staging table replaces the destination atomically (readers see the old
    /// table or the new one, never an empty or partial one) and the old one is dropped; in the other modes nothing is left to do.
    /// </summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        if (_connector.Mode != SyncMode.Full)
        {
            return;
        }

        var target = _connector.Destination.Table;
        if (await _sink.TableExistsAsync(Database, target, ct))
        {
            await ExecuteAsync(Ddl.ExchangeTables(Database, Name, target), ct);
            await ExecuteAsync(Ddl.DropTable(Database, Name), ct);
        }
        else
        {
            await ExecuteAsync(Ddl.RenameTable(Database, Name, target), ct);
        }
    }

    private Task ExecuteAsync(string sql, CancellationToken ct) => _retry.RunAsync(c => _sink.ExecuteAsync(sql, c), ct);
}
