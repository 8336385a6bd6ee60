using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// Compares the values of a random sample with the engine's own rules: each document (as the connector projects it) is
/// encoded by <see cref="RowEncoder"/> for the table's schema as read from <c>system.columns</c>, exactly as a run would write
/// it now, and compared column by column with the row ClickHouse holds (FINAL, RowBinary, the same columns). A field the table
/// has no column for, or a value its column's type cannot hold, is a difference too. Differences are read again before they count.
/// </summary>
internal sealed class SampleCheck(
    IMongoCollection<RawBsonDocument> collection,
    ConnectorSpec connector,
    TableSchema schema,
    ClickHouseRows clickHouse,
    Recheck recheck,
    Func<IdCodec> codecs,
    RateGate rate,
    Findings findings)
{
    public async Task RunAsync(int size, Action<long> progressed, CancellationToken ct)
    {
        if (size <= 0)
        {
            return;
        }

        var filter = CursorRules.ParseJson(connector.Source.Filter, "filter") ?? [];
        // $sample first picks its documents with a random cursor (mongod, and the test server) and reads only those; after a $match
        // it samples everything the $match passes, read whole. So the $match only when the connector has a filter.
        var pipeline = new List<BsonDocument>();
        if (filter.ElementCount > 0)
        {
            pipeline.Add(new BsonDocument("$match", filter));
        }

        pipeline.Add(new BsonDocument("$sample", new BsonDocument("size", size)));
        if (CursorRules.Projection(connector) is { } projection)
        {
            pipeline.Add(new BsonDocument("$project", projection));
        }

        await rate.TakeAsync(size, ct);
        var documents = new List<byte[]>();
        using (var cursor = await collection.AggregateAsync<RawBsonDocument>(pipeline, cancellationToken: ct))
        {
            while (await cursor.MoveNextAsync(ct))
            {
                foreach (var document in cursor.Current)
                {
                    using (document)
                    {
                        documents.Add(MongoIds.Bytes(document));
                    }
                }
            }
        }

        var differing = await CompareAsync(documents, ct);
        findings.Sampled = documents.Count;
        progressed(documents.Count);
        if (differing.Count > 0)
        {
            await ConfirmAsync(differing, ct);
        }
    }

    /// <summary>The documents whose encoded row differs from ClickHouse's, with their differing columns; rows ClickHouse lacks are the id comparison's.</summary>
    private async Task<List<(IdEntry Id, IReadOnlyList<ColumnDifference> Columns)>> CompareAsync(IReadOnlyList<byte[]> documents, CancellationToken ct)
    {
        using var encoder = new RowEncoder(connector.Mapping);
        using var codec = codecs();
        using var row = new PooledBuffer(64 * 1024);
        var encoded = new List<(IdEntry Id, byte[][]? Values, IReadOnlyList<ColumnDifference>? Schema)>();
        foreach (var document in documents)
        {
            if (codec.Identity(document) is not { } id)
            {
                continue;
            }

            row.Length = 0;
            var failures = new List<DocumentFailure>();
            var status = encoder.Encode(document, schema, 0, 0, row, failures, out var rows);
            if (status == EncodeStatus.NeedsSchemaChange)
            {
                encoded.Add((id, null, SchemaDifferences(document)));
            }
            else if (rows == 1)
            {
                encoded.Add((id, Split(row.WrittenSpan), null));
            }
        }

        var stored = await clickHouse.RowsAsync(schema.Columns, [.. encoded.Select(e => e.Id)], ct);
        var differing = new List<(IdEntry, IReadOnlyList<ColumnDifference>)>();
        foreach (var (id, values, schemaDifferences) in encoded)
        {
            if (!stored.TryGetValue(RowKey.Of(id, clickHouse.Tagged), out var actual))
            {
                continue;
            }

            var columns = schemaDifferences ?? Differences(values!, actual);
            if (columns.Count > 0)
            {
                differing.Add((id, columns));
            }
        }

        return differing;
    }

    /// <summary>Reads the differing documents and rows again; what still differs and the next run will not rewrite is a mismatch.</summary>
    private async Task ConfirmAsync(List<(IdEntry Id, IReadOnlyList<ColumnDifference> Columns)> differing, CancellationToken ct)
    {
        var filter = CursorRules.ParseJson(connector.Source.Filter, "filter");
        var ids = new BsonArray(differing.Select(d => d.Id.IdValue()));
        var options = new FindOptions<RawBsonDocument>();
        if (CursorRules.Projection(connector) is { } projection)
        {
            options.Projection = new BsonDocumentProjectionDefinition<RawBsonDocument>(projection);
        }

        await rate.TakeAsync(differing.Count, ct);
        var again = new List<byte[]>();
        using (var cursor = await collection.FindAsync(new BsonDocumentFilterDefinition<RawBsonDocument>(MongoIds.And(filter, new BsonDocument("_id", new BsonDocument("$in", ids)))), options, ct))
        {
            while (await cursor.MoveNextAsync(ct))
            {
                foreach (var document in cursor.Current)
                {
                    using (document)
                    {
                        again.Add(MongoIds.Bytes(document));
                    }
                }
            }
        }

        var stillDiffering = await CompareAsync(again, ct);
        findings.AddChanged(differing.Count - stillDiffering.Count);
        using var codec = codecs();
        var pending = await recheck.PendingAsync([.. stillDiffering.Select(d => d.Id)], codec, ct);
        foreach (var (id, columns) in stillDiffering)
        {
            if (pending.Contains(RowKey.Of(id, clickHouse.Tagged)))
            {
                findings.AddPending();
            }
            else
            {
                findings.AddMismatch(new ValueMismatch(id.Display(), columns));
            }
        }
    }

    /// <summary>An encoded row cut into its data columns (after <c>_id</c>; the metadata columns that follow are not compared).</summary>
    private byte[][] Split(ReadOnlySpan<byte> row)
    {
        RowBinaryLayout.ReadString(row, out var position);
        var values = new byte[schema.Columns.Count][];
        for (var i = 0; i < values.Length; i++)
        {
            var size = RowBinaryLayout.Measure(schema.Columns[i].Type, row[position..]);
            values[i] = row.Slice(position, size).ToArray();
            position += size;
        }

        return values;
    }

    private List<ColumnDifference> Differences(byte[][] expected, byte[][] actual)
    {
        var differences = new List<ColumnDifference>();
        for (var i = 0; i < expected.Length; i++)
        {
            // ClickHouse's JSON type gives back its own text (keys sorted, 1.0 as 1): not comparable byte for byte.
            if (schema.Columns[i].Type is { Kind: ColumnKind.Json, Shape: ColumnShape.Scalar })
            {
                continue;
            }

            if (!expected[i].AsSpan().SequenceEqual(actual[i]))
            {
                differences.Add(new ColumnDifference(schema.Columns[i].Name, schema.Columns[i].SourcePath, "differs"));
            }
        }

        return differences;
    }

    /// <summary>What the table would need for the document: columns it lacks, and columns whose type cannot hold its value.</summary>
    private List<ColumnDifference> SchemaDifferences(byte[] document)
    {
        var builder = new SchemaBuilder(connector.Mapping, schema);
        builder.Observe(document);
        var change = builder.Build().Change;
        return [
            .. change.Added.Select(c => new ColumnDifference(c.Name, c.SourcePath, "no column")),
            .. change.Widened.Select(c => new ColumnDifference(c.Name, c.SourcePath, "type")),
        ];
    }
}
