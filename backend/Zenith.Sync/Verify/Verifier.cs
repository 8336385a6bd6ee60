using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;
using Zenith.Sync.ClickHouse;
using Zenith.Sync.Mongo;

namespace Zenith.Sync.Verify;

/// <summary>
/// Proves that a connector's table equals its collection (<see cref="IVerifier"/>): the id sets range by range in ClickHouse's
/// order (<see cref="IdSetComparison"/>; ids MongoDB orders otherwise sorted by <see cref="SortedIds"/>), the cursor values of the
/// incremental_timestamp mode (freshness), then the values of a random sample (<see cref="SampleCheck"/>); every difference
/// read again (<see cref="Recheck"/>). Reads only, on both ends, MongoDB at the options' rate. Thread-safe.
/// </summary>
public sealed class Verifier(SyncEngineOptions engine) : IVerifier
{
    public async Task<VerificationResult> VerifyAsync(ConnectorSpec connector, Checkpoint? checkpoint, VerificationOptions options, IVerificationObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        var started = engine.TimeProvider.GetTimestamp();
        var findings = new Findings(Math.Max(0, options.MaxReportedIds));
        long compared = 0;
        VerificationResult Result(VerificationOutcome outcome, string? error) =>
            new(outcome, findings.Report(), engine.TimeProvider.GetElapsedTime(started), compared, error);
        try
        {
            using var source = new MongoSource(connector.Source, engine);
            using var sink = new ClickHouseSink(connector.Destination, engine);
            var (database, table) = (connector.Destination.Database, connector.Destination.Table);
            var schema = await sink.ReadSchemaAsync(database, table, connector.Mapping, cancellationToken)
                ?? throw new SyncConfigurationException($"the table {database}.{table} does not exist yet: run the connector once before verifying it");
            var tagged = await HasTagColumnAsync(sink, database, table, cancellationToken);
            var cursor = connector.Mode == SyncMode.IncrementalTimestamp
                ? schema.Columns.FirstOrDefault(c => c.Path.SequenceEqual(connector.CursorField.Split('.')))
                : null;
            Notes(connector, cursor, findings);

            var rate = new RateGate(options.MaxDocumentsPerSecond, engine.TimeProvider);
            var userFilter = CursorRules.ParseJson(connector.Source.Filter, "filter");
            // A stream has no next run: what it has not applied yet is read again by the recheck, after the stream's lag.
            var nextRunFilter = connector.Mode is SyncMode.Full or SyncMode.ChangeStream ? null : CursorRules.Filter(connector, checkpoint);
            var raw = source.Collection.Database.GetCollection<RawBsonDocument>(connector.Source.Collection);
            var mongo = new MongoIds(raw, userFilter, cursor is null ? null : connector.CursorField, rate);
            var clickHouse = new ClickHouseRows(sink, database, table, tagged, schema.IsChangeLog);
            IdCodec Codecs() => new(connector.Mapping, cursor);
            var estimated = await source.Collection.EstimatedDocumentCountAsync(cancellationToken: cancellationToken);
            var recheck = new Recheck(mongo, clickHouse, cursor, userFilter, nextRunFilter, Codecs, findings, observer);
            observer.Progressed(new VerificationProgress("ids", 0, estimated, 0));

            long before = 0;
            foreach (var (stream, bracket) in Segments(mongo, tagged, Codecs, options.SortRunSize, cancellationToken))
            {
                // Each segment counts from zero: the progress is the ids of the segments so far.
                var segmentBase = before;
                var segment = new IdSetComparison(clickHouse, cursor, recheck, findings, options, n =>
                {
                    compared = segmentBase + n;
                    observer.Progressed(new VerificationProgress("ids", compared, estimated, 0));
                });
                await segment.RunAsync(stream, bracket, cancellationToken);
                before = compared;
            }

            await recheck.FlushAsync(cancellationToken);
            observer.Progressed(new VerificationProgress("sample", compared, estimated, 0));
            var sample = new SampleCheck(raw, connector, schema, clickHouse, recheck, Codecs, rate, findings);
            await sample.RunAsync(options.SampleSize, n => observer.Progressed(new VerificationProgress("sample", compared, estimated, n)), cancellationToken);
            return Result(VerificationOutcome.Succeeded, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Result(VerificationOutcome.Cancelled, "cancelled");
        }
#pragma warning disable CA1031 // Like a run, a verification never throws: the result says why it failed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Result(VerificationOutcome.Failed, SyncEngine.Describe(ex, connector, null, null, engine).Line);
        }
    }

    /// <summary>
    /// The streams to compare, each in ClickHouse's order for its part of the table. A table with the type tag is ordered by
    /// (tag, <c>_id</c>): one stream per bracket. One without it is ordered by <c>_id</c> alone: ObjectIds, strings and the
    /// other brackets (sorted by text) merged into one stream.
    /// </summary>
    private static IEnumerable<(IAsyncEnumerable<IdEntry> Stream, IdBracket? Bracket)> Segments(MongoIds mongo, bool tagged, Func<IdCodec> codecs, int runSize, CancellationToken ct)
    {
        IAsyncEnumerable<IdEntry> InTextOrder(IdBracket bracket) =>
            bracket.OrderedAsText ? mongo.ReadAsync(bracket, codecs, ct) : SortedIds.SortAsync(mongo.ReadAsync(bracket, codecs, ct), runSize, ct);
        if (tagged)
        {
            foreach (var bracket in IdBracket.All)
            {
                yield return (InTextOrder(bracket), bracket);
            }

            yield break;
        }

        var streams = IdBracket.All.Where(b => b.OrderedAsText).Select(b => mongo.ReadAsync(b, codecs, ct))
            .Append(SortedIds.SortAsync(mongo.ReadOthersAsync(codecs, ct), runSize, ct));
        yield return (SortedIds.MergeAsync([.. streams], ct), null);
    }

    private static void Notes(ConnectorSpec connector, ColumnDef? cursor, Findings findings)
    {
        if (connector.Mode == SyncMode.ChangeStream)
        {
            findings.Notes.Add("change_stream: the table's current rows (the newest version of each document, deleted ones left out) are compared; a change the stream has not applied yet differs until it has.");
        }
        else if (connector.Mode != SyncMode.Full)
        {
            findings.Notes.Add("Incremental modes do not see deletes: a document deleted in MongoDB stays in ClickHouse and is reported as an extra id.");
            findings.Notes.Add("Documents the next run will copy (after the checkpoint) are counted as pending, not as differences.");
        }
        else
        {
            findings.Notes.Add("Full mode reloads the whole table on each run: documents changed since the last run differ until the next one.");
        }

        if (connector.Mode == SyncMode.IncrementalTimestamp && cursor is null)
        {
            findings.Notes.Add($"The cursor field {connector.CursorField} has no column of its own in the table: freshness was not checked.");
        }
    }

    private static async Task<bool> HasTagColumnAsync(ClickHouseSink sink, string database, string table, CancellationToken ct)
    {
        var sql = $"SELECT count() FROM system.columns WHERE database = {Ddl.Literal(database)} AND table = {Ddl.Literal(table)} AND name = {Ddl.Literal(IdBracket.TagColumn)} FORMAT RowBinary";
        var bytes = await sink.QueryRowBinaryAsync(sql, ct);
        return BitConverter.ToUInt64(bytes, 0) > 0;
    }
}
