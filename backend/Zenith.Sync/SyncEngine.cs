using System.Globalization;
using MongoDB.Driver;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Mapping;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;
using Zenith.Sync.Pipeline;

namespace Zenith.Sync;

/// <summary>The MongoDB → ClickHouse sync engine. Thread-safe: runs of different connectors may go at once.</summary>
public sealed class SyncEngine : ISyncEngine
{
    private readonly SyncEngineOptions _options;

    public SyncEngine()
        : this(new SyncEngineOptions())
    {
    }

    public SyncEngine(SyncEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, CancellationToken cancellationToken) =>
        RunAsync(connector, checkpoints, observer, RunOptions.New(), cancellationToken);

    public async Task<SyncRunResult> RunAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(options);
        var result = await RunCoreAsync(connector, checkpoints, observer, options, cancellationToken);
        if (_options.ReleaseMemoryAfterRun && result.Bytes >= ReleaseAfterBytes)
        {
            // The run's buffers (its own pool, the drivers' reply buffers) are garbage now; without a collection an idle
            // service would hold them, and the pages, until its next run. One blocking, compacting collection gives them back.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        return result;
    }

    /// <summary>Runs that sent less than this leave the memory to the GC's own pace.</summary>
    private const long ReleaseAfterBytes = 16L * 1024 * 1024;

    private async Task<SyncRunResult> RunCoreAsync(ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken)
    {
        var result = await RunOnceAsync(connector, checkpoints, observer, options, cancellationToken);
        if (result.HistoryLost && connector.OnHistoryLost == HistoryLostPolicy.Resync && !options.Resync)
        {
            // The position fell off the oplog: a gap would be silent, so reload everything (atomically) and stream from a new position.
            observer.Note(result.Error + "; resyncing: a new position, the collection reloaded into a staging table and swapped in, then the stream from there");
            result = await RunOnceAsync(connector, checkpoints, observer, options with { RunId = options.RunId + "r", Resync = true }, cancellationToken);
        }

        return result.Result;
    }

    private async Task<(SyncRunResult Result, bool HistoryLost, string? Error)> RunOnceAsync(
        ConnectorSpec connector, ICheckpointStore checkpoints, ISyncObserver observer, RunOptions options, CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        MongoSource? source = null;
        ClickHouseSink? sink = null;
        SyncRun? run = null;
        try
        {
            Validate(connector);
            source = new MongoSource(connector.Source, _options);
            sink = new ClickHouseSink(connector.Destination, _options);
            run = new SyncRun(connector, options, checkpoints, observer, _options, source, sink);
            await run.RunAsync(cancellationToken);
            return (Result(SyncOutcome.Succeeded, run, started, null), false, null);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever the driver made of the cancellation (a statement cut off mid-DDL surfaces as an HTTP or IO error): it was asked for.
            return (Result(SyncOutcome.Cancelled, run, started, new Described("cancelled", null)), false, null);
        }
        catch (ChangeStreamHistoryLostException ex)
        {
            var error = connector.OnHistoryLost == HistoryLostPolicy.Error
                ? ex.Message + "; the connector stops as its setting onHistoryLost = error says: resync it to start again from a new position"
                : ex.Message;
            return (Result(SyncOutcome.Failed, run, started, new Described(error, null)), true, ex.Message);
        }
        catch (ChangeStreamSourceGoneException ex)
        {
            return (Result(SyncOutcome.Failed, run, started, new Described(ex.Message, null)) with { SourceGone = true }, false, null);
        }
        catch (Exception ex)
        {
            return (Result(SyncOutcome.Failed, run, started, Describe(ex, connector, source, sink)), false, null);
        }
        finally
        {
            run?.Dispose();
            source?.Dispose();
            sink?.Dispose();
        }
    }

    private SyncRunResult Result(SyncOutcome outcome, SyncRun? run, long started, Described? error)
    {
        var total = run?.Total ?? default;
        return new SyncRunResult(
            outcome,
            Math.Max(total.RowsRead, run?.RowsRead ?? 0),
            total.RowsWritten,
            total.RowsFailed,
            total.Batches,
            total.Bytes,
            _options.TimeProvider.GetElapsedTime(started),
            run?.LastCheckpoint,
            error?.Line,
            run?.Warnings,
            error?.Detail);
    }

    private static void Validate(ConnectorSpec connector)
    {
        if (connector.BatchSize < 1)
        {
            throw new SyncConfigurationException($"batch size must be at least 1 (got {connector.BatchSize})");
        }

        if (connector.Mode == SyncMode.IncrementalTimestamp && string.IsNullOrWhiteSpace(connector.CursorField))
        {
            throw new SyncConfigurationException("incremental_timestamp needs a cursor field");
        }

        if (connector.Mode == SyncMode.IncrementalTimestamp && connector.CursorField == "_id")
        {
            throw new SyncConfigurationException(CursorFieldIsId);
        }

        if (connector.Mode == SyncMode.ChangeStream && (!string.IsNullOrWhiteSpace(connector.Source.Filter) || !string.IsNullOrWhiteSpace(connector.Source.Projection)))
        {
            throw new SyncConfigurationException(ChangeStreamTakesWholeDocuments);
        }

        if (connector.SettleSeconds < 0)
        {
            throw new SyncConfigurationException($"the settle window must be 0 seconds or more (got {connector.SettleSeconds})");
        }

        if (string.IsNullOrEmpty(connector.Destination.Database) || string.IsNullOrEmpty(connector.Destination.Table))
        {
            throw new SyncConfigurationException("the ClickHouse database and table must be named");
        }

        MappingRules.Validate(connector.Mapping);
        CursorRules.ParseJson(connector.Source.Filter, "filter");
        CursorRules.ParseJson(connector.Source.Projection, "projection");
    }

    /// <summary>The validator's words too: a change stream's events cannot be filtered or projected as a find is (a document leaving the filter would stay).</summary>
    public const string ChangeStreamTakesWholeDocuments =
        "change_stream copies whole documents of the whole collection: a filter or projection is not supported in this mode (a document that stops matching the filter would stay in ClickHouse)";

    /// <summary>The validator's words too: incremental_timestamp orders by (field, <c>_id</c>), so <c>_id</c> itself is incremental_id's job.</summary>
    public const string CursorFieldIsId =
        "\"_id\" is not a timestamp field: incremental_timestamp reads by (cursor field, _id). To copy by _id, use the mode incremental_id.";

    public async Task<IReadOnlyList<SyncWarning>> CheckSourceAsync(ConnectorSpec connector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        try
        {
            using var source = new MongoSource(connector.Source, _options);
            return IndexAdvice.MissingIndex(connector, await source.ListIndexesAsync(cancellationToken)) is { } missing
                ? [new SyncWarning(SyncWarningKind.MissingIndex, missing)]
                : [];
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or SyncConfigurationException or ArgumentException)
        {
            // The source cannot be asked now; its run will ask again and report what fails.
            return [];
        }
    }

    public async Task<EndpointCheck> TestSourceAsync(SourceSpec source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        MongoSource? mongo = null;
        // Server selection gives up after CheckTimeout and says why; this bounds a server that accepts and then says nothing.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(2 * _options.CheckTimeout);
        try
        {
            mongo = new MongoSource(source, _options, check: true);
            await mongo.PingAsync(timeout.Token);
            return await mongo.CollectionExistsAsync(timeout.Token)
                ? new EndpointCheck(true, $"MongoDB at {mongo.Hosts}: collection {source.Database}.{source.Collection} found")
                : new EndpointCheck(false, await mongo.MissingCollectionAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var described = mongo?.Describe(ex) ?? MongoErrors.Describe(ex, source, null, _options.CheckTimeout);
            return new EndpointCheck(false, described.Line, described.Detail);
        }
        finally
        {
            mongo?.Dispose();
        }
    }

    public async Task<EndpointCheck> TestDestinationAsync(DestinationSpec destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ClickHouseSink? sink = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CheckTimeout);
        try
        {
            sink = new ClickHouseSink(destination, _options);
            var version = Convert.ToString(await sink.VersionAsync(timeout.Token), CultureInfo.InvariantCulture);
            var database = await sink.DatabaseExistsAsync(destination.Database, timeout.Token)
                ? $"database {destination.Database} found"
                : $"database {destination.Database} does not exist yet (the first run creates it)";
            return new EndpointCheck(true, $"ClickHouse {version} at {sink.Host}: {database}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var described = ClickHouseErrors.Describe(ex, destination, _options.CheckTimeout);
            return new EndpointCheck(false, described.Line, described.Detail);
        }
        finally
        {
            sink?.Dispose();
        }
    }

    public async Task<IReadOnlyDictionary<string, string>> CheckTableOptionsAsync(DestinationSpec destination, TableOptions table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(table);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var checks = Ddl.ParseCheck(table);
        if (checks.Count == 0)
        {
            return errors;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            using var sink = new ClickHouseSink(destination, _options);
            foreach (var (field, sql, children) in checks)
            {
                try
                {
                    var ast = await sink.ExplainAsync(sql, timeout.Token);
                    if (!ast.Contains($"Storage definition (children {children.ToString(CultureInfo.InvariantCulture)})", StringComparison.Ordinal))
                    {
                        errors[field] = "ClickHouse reads more than one expression here (another clause follows it); give one expression only.";
                    }
                }
                catch (System.Data.Common.DbException e) when (ClickHouseErrors.IsServerError(e))
                {
                    errors[field] = "ClickHouse cannot parse it: " + Failures.FirstLine(e.Message);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unreachable, refused, not ClickHouse, too slow: the allow-list checked on saving is the check, the first run says the rest.
        }

        return errors;
    }

    /// <summary>
    /// The columns a random sample maps to, decided by the code the run uses: starting from the destination table when it exists
    /// (and the server's JSON support) so the preview shows what the next run would do; from the sample alone, with a warning,
    /// when ClickHouse cannot be read.
    /// </summary>
    public async Task<MappingPreview> PreviewAsync(ConnectorSpec connector, int sampleSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        MappingRules.Validate(connector.Mapping);
        MongoSource? source = null;
        try
        {
            source = new MongoSource(connector.Source, _options, check: true);
            var (start, features, note) = await PreviewStartAsync(connector, cancellationToken);
            var builder = new SchemaBuilder(connector.Mapping, start, features);
            var sampled = 0;
            using (var sample = await source.SampleAsync(connector, sampleSize > 0 ? sampleSize : _options.SampleSize, cancellationToken))
            {
                if (sample is not null)
                {
                    sampled = sample.Count;
                    builder.ObserveAll(sample.Written.Documents);
                }
            }

            if (sampled == 0 && !await source.CollectionExistsAsync(cancellationToken))
            {
                throw new SyncFailedException(await source.MissingCollectionAsync(cancellationToken), detail: null);
            }

            var (schema, _) = builder.Build();
            var preview = builder.Preview(schema);
            return note is null ? preview : preview with { Warnings = [note, .. preview.Warnings] };
        }
        catch (Exception ex) when (ex is not SyncFailedException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            var described = source?.Describe(ex) ?? MongoErrors.Describe(ex, connector.Source, null, _options.CheckTimeout);
            throw new SyncFailedException(described.Line, described.Detail, ex);
        }
        finally
        {
            source?.Dispose();
        }
    }

    private async Task<(TableSchema? Start, ClickHouseFeatures Features, string? Note)> PreviewStartAsync(ConnectorSpec connector, CancellationToken ct)
    {
        try
        {
            using var sink = new ClickHouseSink(connector.Destination, _options);
            var (_, features) = await sink.FeaturesAsync(ct);
            var table = await sink.ReadTableAsync(connector.Destination.Database, connector.Destination.Table, ct);
            if (table is null)
            {
                return (null, features, null);
            }

            if (table.Fingerprint is not null && table.Fingerprint != MappingRules.Fingerprint(connector.Mapping))
            {
                return (null, features, $"table {connector.Destination.Database}.{connector.Destination.Table} was made with other mapping rules: these are the columns "
                    + (connector.Mode == SyncMode.Full ? "the next full run rebuilds it with" : "a resync would make"));
            }

            // The table's own key columns (system.columns) are pinned, as a run would have them.
            return (TableSchema.Create(table.Columns, connector.Mapping, keyColumns: table.KeyColumns, hasIdType: table.HasIdType, isChangeLog: table.IsChangeLog), features, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (null, ClickHouseFeatures.Modern, $"ClickHouse could not be read ({ClickHouseErrors.Describe(ex, connector.Destination, _options.CheckTimeout).Line}): the columns are those of a new table on a server with the JSON type");
        }
    }

    public async Task<DestinationTableInfo?> DescribeTableAsync(ConnectorSpec connector, bool withStatistics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        var (database, table) = (connector.Destination.Database, connector.Destination.Table);
        ClickHouseSink? sink = null;
        try
        {
            sink = new ClickHouseSink(connector.Destination, _options);
            if (!await sink.TableExistsAsync(database, table, cancellationToken))
            {
                return null;
            }

            var raw = await sink.ReadColumnsAsync(database, table, cancellationToken);
            var columns = raw.Select(c => new TableColumn(c.Name, c.Type, DestinationTableFreshness.SourcePath(c.Name, c.Comment))).ToList();
            if (!withStatistics)
            {
                return new DestinationTableInfo(database, table, columns, null, null);
            }

            var newest = DestinationTableFreshness.For(connector, raw);
            var (rows, value, synced) = await sink.StatisticsAsync(database, table, newest.Sql, cancellationToken);
            return new DestinationTableInfo(database, table, columns, rows, rows == 0 ? null : newest.Parse(value) ?? DestinationTableFreshness.ParseTime(synced));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var described = sink?.Describe(ex, _options.QueryTimeout) ?? ClickHouseErrors.Describe(ex, connector.Destination, _options.QueryTimeout);
            throw new SyncFailedException(described.Line, described.Detail, ex);
        }
        finally
        {
            sink?.Dispose();
        }
    }

    private Described Describe(Exception ex, ConnectorSpec connector, MongoSource? source, ClickHouseSink? sink) =>
        Describe(ex, connector, source, sink, _options);

    /// <summary>Which end failed, and what that means: the source's errors are the driver's MongoDB types, everything else is ClickHouse's.</summary>
    internal static Described Describe(Exception ex, ConnectorSpec connector, MongoSource? source, ClickHouseSink? sink, SyncEngineOptions options) => ex switch
    {
        SyncConfigurationException or ArgumentException => new(Redaction.Redact(ex.Message, connector.Source.Uri, connector.Destination.Uri), null),
        SyncFailedException failed => new(Redaction.Redact(failed.Message, connector.Source.Uri, connector.Destination.Uri), failed.Detail),
        MongoException or TimeoutException => source?.Describe(ex) ?? MongoErrors.Describe(ex, connector.Source, null, options.ConnectTimeout),
        _ => sink?.Describe(ex, options.QueryTimeout) ?? ClickHouseErrors.Describe(ex, connector.Destination, options.QueryTimeout),
    };
}
