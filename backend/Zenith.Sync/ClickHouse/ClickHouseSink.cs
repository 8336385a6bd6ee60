using System.Globalization;
using System.IO.Compression;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Sync.ClickHouse;

/// <summary>The ClickHouse side of a run: DDL, the current columns, and RowBinary inserts through ClickHouse.Driver.</summary>
internal sealed class ClickHouseSink : IDisposable
{
    private readonly ClickHouseClient _client;
    private readonly DestinationSpec _spec;
    private readonly bool _compress;

    public ClickHouseSink(DestinationSpec spec, SyncEngineOptions options)
    {
        // The masked form is what System.Uri checks: a password may hold characters (an unescaped '/') it would misread.
        var connection = ConnectionString.Parse(spec.Uri);
        if (!connection.IsHttp || !Uri.TryCreate(connection.Masked, UriKind.Absolute, out var uri))
        {
            throw new SyncConfigurationException("the ClickHouse URI must look like http(s)://[user[:password]@]host:port");
        }

        if (options.AllowedHosts.FirstRefused(connection) is { } refused)
        {
            throw new SyncConfigurationException(options.AllowedHosts.Refusal(refused));
        }

        _spec = spec;
        Host = connection.HostList;
        User = connection.UserName ?? "default";
        _compress = options.CompressInserts;
        _client = new ClickHouseClient(new ClickHouseClientSettings
        {
            Host = uri.Host,
            Port = (ushort)uri.Port,
            Protocol = uri.Scheme,
            Path = uri.AbsolutePath == "/" ? string.Empty : uri.AbsolutePath,
            Username = User,
            Password = connection.DecodedPassword,
            Timeout = options.QueryTimeout,
            HttpClient = options.ClickHouseHttpClient,
        });
    }

    /// <summary>host:port, never the credentials.</summary>
    public string Host { get; }

    public string User { get; }

    public Task<object> VersionAsync(CancellationToken ct) => Cancellable(_client.ExecuteScalarAsync(Ddl.SelectVersion, cancellationToken: ct), ct);

    /// <summary>
    /// Runs one statement. A CREATE TABLE of hundreds of columns can pass ClickHouse's 256 KiB <c>max_query_size</c>; such a
    /// statement carries a larger limit of its own, so a wide table never fails to be made.
    /// </summary>
    public Task ExecuteAsync(string sql, CancellationToken ct)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(sql);
        var options = bytes < Ddl.DefaultMaxQuerySize * 3 / 4 ? null : new QueryOptions
        {
            CustomSettings = new Dictionary<string, object> { ["max_query_size"] = Math.Max(Ddl.DefaultMaxQuerySize, bytes * 2) },
        };
        return Cancellable(_client.ExecuteNonQueryAsync(sql, options: options, cancellationToken: ct), ct);
    }

    /// <summary>The server's version and what it can store (<see cref="ClickHouseFeatures"/>); read once per run.</summary>
    public async Task<(string Version, ClickHouseFeatures Features)> FeaturesAsync(CancellationToken ct)
    {
        using var reader = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectFeatures, cancellationToken: ct), ct);
        if (!await Cancellable(reader.ReadAsync(ct), ct))
        {
            return (string.Empty, ClickHouseFeatures.Legacy);
        }

        var version = reader.GetString(0);
        var settings = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        return (version, ClickHouseFeatures.FromServer(version, settings));
    }

    /// <summary>The text of an <c>EXPLAIN</c>: its rows, one line each.</summary>
    public async Task<string> ExplainAsync(string sql, CancellationToken ct)
    {
        var lines = new System.Text.StringBuilder();
        using var reader = await _client.ExecuteReaderAsync(sql, cancellationToken: ct);
        while (await reader.ReadAsync(ct))
        {
            lines.AppendLine(reader.GetString(0));
        }

        return lines.ToString();
    }

    /// <summary>The whole answer of a query that ends in <c>FORMAT RowBinary</c> (a bounded page: verifications read in ranges).</summary>
    /// <param name="json">The result has columns of the <c>JSON</c> type: they come as text, as Zenith writes them.</param>
    public async Task<byte[]> QueryRowBinaryAsync(string sql, CancellationToken ct, bool json = false)
    {
        var options = json ? new QueryOptions { CustomSettings = new Dictionary<string, object> { ["output_format_binary_write_json_as_string"] = 1 } } : null;
        using var result = await _client.ExecuteRawResultAsync(sql, options: options, cancellationToken: ct);
        await using var stream = await result.ReadDecompressedStreamAsync();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>What a failure of this end means, in one line, with the driver's text as the detail.</summary>
    public Described Describe(Exception ex, TimeSpan timeout) => ClickHouseErrors.Describe(ex, _spec, timeout);

    public async Task<bool> TableExistsAsync(string database, string table, CancellationToken ct)
    {
        var count = await Cancellable(_client.ExecuteScalarAsync(Ddl.CountTables(database, table), cancellationToken: ct), ct);
        return Convert.ToInt64(count, CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// An existing table as Zenith needs it: its data columns (paths, kinds and reasons from the column comments Zenith writes),
    /// which of them are in its sorting or partition key, whether it has the <c>_id</c>'s type column, what its comment records
    /// (the mapping fingerprint, the run that loaded it), and whether it deduplicates inserts; null if there is no table.
    /// </summary>
    public async Task<ExistingTable?> ReadTableAsync(string database, string table, CancellationToken ct)
    {
        InsertDeduplication deduplication;
        string engine;
        string? comment;
        using (var tables = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectEngine(database, table), cancellationToken: ct), ct))
        {
            if (!await Cancellable(tables.ReadAsync(ct), ct))
            {
                return null;
            }

            engine = tables.GetString(0);
            deduplication = Ddl.Deduplication(engine, tables.GetString(1));
            comment = tables.IsDBNull(2) ? null : tables.GetString(2);
        }

        var columns = new List<ColumnDef>();
        var keys = new List<string>();
        var hasIdType = false;
        var isChangeLog = false;
        using var reader = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectColumns(database, table), cancellationToken: ct), ct);
        while (await Cancellable(reader.ReadAsync(ct), ct))
        {
            var name = reader.GetString(0);
            hasIdType |= name == TableSchema.IdTypeColumn;
            isChangeLog |= name == TableSchema.DeletedColumn;
            if (TableSchema.ReservedColumns.Contains(name))
            {
                continue;
            }

            var type = reader.GetString(1);
            var parsed = ColumnType.Parse(type) ?? throw new SyncConfigurationException(
                $"column {name} of {database}.{table} has type {type}, which Zenith does not write; drop the column or choose another table");
            columns.Add(ColumnComment.Read(name, parsed, reader.GetString(2)));
            if (Convert.ToBoolean(reader.GetValue(3), CultureInfo.InvariantCulture))
            {
                keys.Add(name);
            }
        }

        return new ExistingTable(columns, keys, hasIdType, Ddl.ParseTableComment(comment), deduplication) { IsChangeLog = isChangeLog, Engine = engine };
    }

    /// <summary>An existing table's columns as the encoder sees them under <paramref name="mapping"/>, with its keys; null if there is no table.</summary>
    public async Task<TableSchema?> ReadSchemaAsync(string database, string table, MappingOptions mapping, CancellationToken ct) =>
        await ReadTableAsync(database, table, ct) is { } existing
            ? TableSchema.Create(existing.Columns, mapping, keyColumns: existing.KeyColumns, hasIdType: existing.HasIdType, isChangeLog: existing.IsChangeLog)
            : null;

    /// <summary>What the table's comment records (both null when it has none or does not exist).</summary>
    public async Task<TableMark> TableMarkAsync(string database, string table, CancellationToken ct) =>
        Ddl.ParseTableComment(Convert.ToString(await Cancellable(_client.ExecuteScalarAsync(Ddl.SelectTableComment(database, table), cancellationToken: ct), ct), CultureInfo.InvariantCulture));

    /// <summary>The tables of <paramref name="database"/> whose name starts with <paramref name="prefix"/>, with what their comments record.</summary>
    public async Task<IReadOnlyList<(string Name, TableMark Mark)>> TablesStartingWithAsync(string database, string prefix, CancellationToken ct)
    {
        var tables = new List<(string, TableMark)>();
        using var reader = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectTablesStartingWith(database, prefix), cancellationToken: ct), ct);
        while (await Cancellable(reader.ReadAsync(ct), ct))
        {
            tables.Add((reader.GetString(0), Ddl.ParseTableComment(reader.GetString(1))));
        }

        return tables;
    }

    /// <summary>Every column of an existing table in order, Zenith's own included: name, type and comment (which holds the source path).</summary>
    public async Task<IReadOnlyList<(string Name, string Type, string Comment)>> ReadColumnsAsync(string database, string table, CancellationToken ct)
    {
        var columns = new List<(string, string, string)>();
        using var reader = await _client.ExecuteReaderAsync(Ddl.SelectColumns(database, table), cancellationToken: ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return columns;
    }

    /// <summary>Rows with versions collapsed and the newest value of an expression, as text (<see cref="Ddl.SelectStatistics"/>).</summary>
    public async Task<(long Rows, string Newest, string NewestSync)> StatisticsAsync(string database, string table, string? newest, CancellationToken ct)
    {
        using var reader = await _client.ExecuteReaderAsync(Ddl.SelectStatistics(database, table, newest), cancellationToken: ct);
        return await reader.ReadAsync(ct)
            ? (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2))
            : (0, string.Empty, string.Empty);
    }

    public async Task<bool> DatabaseExistsAsync(string database, CancellationToken ct) =>
        Convert.ToInt64(await _client.ExecuteScalarAsync(Ddl.CountDatabases(database), cancellationToken: ct), System.Globalization.CultureInfo.InvariantCulture) > 0;

    /// <summary>
    /// Sends RowBinary rows (the encoded batches of one insert, in order) as one INSERT, written straight into the request
    /// body (gzipped on the way when compression is on): no copy of the rows is made. <paramref name="deduplicationToken"/>
    /// names the insert: sending it again (a retry after a reply was lost) is a no-op on the server, so it is written once.
    /// </summary>
    /// <param name="json">The columns include ones of the <c>JSON</c> type: their values come as text (<see cref="Ddl.JsonInsertSettings"/>).</param>
    public async Task InsertAsync(string database, string table, IReadOnlyList<string> columns, IReadOnlyList<ReadOnlyMemory<byte>> parts, string deduplicationToken, bool json, CancellationToken ct)
    {
        var sql = Ddl.Insert(database, table, columns);
        var settings = new Dictionary<string, object>
        {
            ["insert_deduplicate"] = 1,
            ["insert_deduplication_token"] = deduplicationToken,
            // Collapsing versions inside one insert block costs a sort-and-merge per insert (measured on the test
            // server: 1.6x for wide rows, 2.5x for flat ones) and buys nothing: readers collapse with FINAL or merges.
            ["optimize_on_insert"] = 0,
        };
        if (json)
        {
            foreach (var (name, value) in Ddl.JsonInsertSettings)
            {
                settings[name] = value;
            }
        }

        // A wide table's column list makes a long statement: past a few KiB it goes at the head of the body (ClickHouse reads the
        // query there, then the rows) rather than in a URL that servers and proxies cap, with max_query_size to fit it.
        var bytes = System.Text.Encoding.UTF8.GetByteCount(sql);
        if (bytes > MaxUrlQueryBytes)
        {
            parts = [System.Text.Encoding.UTF8.GetBytes(sql + "\n"), .. parts];
            sql = string.Empty;
            if (bytes >= Ddl.DefaultMaxQuerySize * 3 / 4)
            {
                settings["max_query_size"] = Math.Max(Ddl.DefaultMaxQuerySize, bytes * 2);
            }
        }

        var options = new QueryOptions { CustomSettings = settings };
        using var response = await Cancellable(_client.PostStreamAsync(sql, (body, c) => WriteBodyAsync(body, parts, _compress, c), _compress, ct, options), ct);
    }

    /// <summary>Longest INSERT statement sent in the URL; a longer one goes in the body.</summary>
    private const int MaxUrlQueryBytes = 4096;

    private static async Task WriteBodyAsync(Stream body, IReadOnlyList<ReadOnlyMemory<byte>> parts, bool compress, CancellationToken ct)
    {
        if (!compress)
        {
            foreach (var part in parts)
            {
                await body.WriteAsync(part, ct);
            }

            return;
        }

        await using var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true);
        foreach (var part in parts)
        {
            await gzip.WriteAsync(part, ct);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The driver's call, given up when <paramref name="ct"/> is cancelled: ClickHouse.Driver keeps reading a reply that stalls
    /// (ClickHouse sent its headers and the statement goes on) until the query timeout, whatever the token says, so a cancelled
    /// run would wait minutes. The abandoned request ends on its own (its failure is observed, never thrown at anyone).
    /// </summary>
    private static async Task<T> Cancellable<T>(Task<T> call, CancellationToken ct)
    {
        try
        {
            return await call.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && !call.IsCompleted)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }
}

/// <summary>
/// A destination table as it is: its data columns, those in its sorting or partition key (authoritative: ClickHouse's own
/// system.columns), whether it has <see cref="TableSchema.IdTypeColumn"/>, what its comment records, and whether it deduplicates inserts.
/// </summary>
internal sealed record ExistingTable(IReadOnlyList<ColumnDef> Columns, IReadOnlyList<string> KeyColumns, bool HasIdType, TableMark Mark, InsertDeduplication Deduplication)
{
    /// <summary>The fingerprint of the mapping rules that made it (null if unknown: a table of an older Zenith).</summary>
    public string? Fingerprint => Mark.Fingerprint;

    /// <summary>A change-stream table: it has <see cref="TableSchema.DeletedColumn"/> (and a UInt128 version).</summary>
    public bool IsChangeLog { get; init; }

    /// <summary>Its engine's name (<c>system.tables.engine</c>).</summary>
    public string Engine { get; init; } = "";
}
