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

    public Task ExecuteAsync(string sql, CancellationToken ct) => Cancellable(_client.ExecuteNonQueryAsync(sql, cancellationToken: ct), ct);

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
    public async Task<byte[]> QueryRowBinaryAsync(string sql, CancellationToken ct)
    {
        using var result = await _client.ExecuteRawResultAsync(sql, cancellationToken: ct);
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
    /// The data columns of an existing table (paths from the column comments Zenith writes), which of them are in its keys, and
    /// whether it has the <c>_id</c>'s type column; null if there is no table.
    /// </summary>
    public async Task<TableSchema?> ReadSchemaAsync(string database, string table, CancellationToken ct)
    {
        if (!await TableExistsAsync(database, table, ct))
        {
            return null;
        }

        var columns = new List<ColumnDef>();
        var keys = new List<string>();
        var hasIdType = false;
        using var reader = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectColumns(database, table), cancellationToken: ct), ct);
        while (await Cancellable(reader.ReadAsync(ct), ct))
        {
            var name = reader.GetString(0);
            hasIdType |= name == TableSchema.IdTypeColumn;
            if (name is TableSchema.IdColumn or TableSchema.SyncedAtColumn or TableSchema.VersionColumn or TableSchema.IdTypeColumn)
            {
                continue;
            }

            var type = reader.GetString(1);
            var parsed = ColumnType.Parse(type) ?? throw new SyncConfigurationException(
                $"column {name} of {database}.{table} has type {type}, which Zenith does not write; drop the column or choose another table");
            var path = Ddl.ParsePathComment(reader.GetString(2)) ?? [name];
            columns.Add(new ColumnDef(name, parsed, path));
            if (Convert.ToBoolean(reader.GetValue(3), CultureInfo.InvariantCulture))
            {
                keys.Add(name);
            }
        }

        return TableSchema.Create(columns, hasIdType: hasIdType, keyColumns: keys);
    }

    /// <summary>The table's comment; empty when it has none or does not exist.</summary>
    public async Task<string> TableCommentAsync(string database, string table, CancellationToken ct) =>
        Convert.ToString(await Cancellable(_client.ExecuteScalarAsync(Ddl.SelectTableComment(database, table), cancellationToken: ct), ct), CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>The tables of <paramref name="database"/> whose name starts with <paramref name="prefix"/>, with their comments.</summary>
    public async Task<IReadOnlyList<(string Name, string Comment)>> TablesStartingWithAsync(string database, string prefix, CancellationToken ct)
    {
        var tables = new List<(string, string)>();
        using var reader = await Cancellable(_client.ExecuteReaderAsync(Ddl.SelectTablesStartingWith(database, prefix), cancellationToken: ct), ct);
        while (await Cancellable(reader.ReadAsync(ct), ct))
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
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
    public async Task InsertAsync(string database, string table, IReadOnlyList<string> columns, IReadOnlyList<ReadOnlyMemory<byte>> parts, string deduplicationToken, CancellationToken ct)
    {
        var sql = Ddl.Insert(database, table, columns);
        var options = new QueryOptions
        {
            CustomSettings = new Dictionary<string, object>
            {
                ["insert_deduplicate"] = 1,
                ["insert_deduplication_token"] = deduplicationToken,
                // Collapsing versions inside one insert block costs a sort-and-merge per insert (measured on the test
                // server: 1.6x for wide rows, 2.5x for flat ones) and buys nothing: readers collapse with FINAL or merges.
                ["optimize_on_insert"] = 0,
            },
        };
        using var response = await Cancellable(_client.PostStreamAsync(sql, (body, c) => WriteBodyAsync(body, parts, _compress, c), _compress, ct, options), ct);
    }

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

    /// <summary>Whether a table remembers recent insert blocks (replicated tables always do; Zenith's own get the setting at creation).</summary>
    public async Task<bool> DeduplicatesInsertsAsync(string database, string table, CancellationToken ct)
    {
        var engine = Convert.ToString(await Cancellable(_client.ExecuteScalarAsync(Ddl.SelectEngine(database, table), cancellationToken: ct), ct), CultureInfo.InvariantCulture) ?? string.Empty;
        return engine.StartsWith("Replicated", StringComparison.Ordinal)
            || (engine.Contains("non_replicated_deduplication_window", StringComparison.Ordinal) && !engine.Contains("non_replicated_deduplication_window = 0", StringComparison.Ordinal));
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
