using System.Text;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Every statement Zenith sends to ClickHouse for a destination table, as pure text (snapshot-tested): DDL, the insert, and the
/// catalog reads the table's lifecycle makes. Every identifier quoted, every value a literal.
/// </summary>
public static partial class Ddl
{
    /// <summary>Backtick-quotes an identifier, escaping backslashes and backticks.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";
    }

    /// <summary>A single-quoted string literal.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }

    public static string Table(string database, string table) => Quote(database) + "." + Quote(table);

    /// <summary>What a staging table's name has after its destination's: <c>{table}__zenith_staging_{run}</c>. No destination may contain it.</summary>
    public const string StagingInfix = "__zenith_staging";

    /// <summary>The staging table a full run or a resync (run <paramref name="runId"/>) loads before swapping it in.</summary>
    public static string StagingName(string table, string runId) => $"{table}{StagingInfix}_{runId}";

    /// <summary>
    /// The comment of a table Zenith makes: the fingerprint of the mapping rules its columns were made with
    /// (<see cref="MappingRules.Fingerprint"/>) and, for a staging table, the run that loads it (it stays once swapped in: who
    /// loaded it). <see cref="ParseTableComment"/> reads it back.
    /// </summary>
    public static string TableComment(string fingerprint, string? loadedByRun = null) =>
        loadedByRun is null ? MappingCommentPrefix + fingerprint : MappingCommentPrefix + fingerprint + CommentSeparator + LoadedByPrefix + loadedByRun;

    /// <summary>
    /// What a table comment Zenith wrote records; nulls for someone else's comment. Reads the comments of older Zenith versions
    /// too: the fingerprint alone, or the run alone (<c>loaded by Zenith run …</c>).
    /// </summary>
    public static TableMark ParseTableComment(string? comment)
    {
        string? fingerprint = null, run = null;
        foreach (var part in (comment ?? string.Empty).Split(CommentSeparator))
        {
            if (part.StartsWith(MappingCommentPrefix, StringComparison.Ordinal))
            {
                fingerprint = part[MappingCommentPrefix.Length..];
            }
            else if (part.StartsWith(LoadedByPrefix, StringComparison.Ordinal))
            {
                run = part[LoadedByPrefix.Length..];
            }
        }

        return new TableMark(fingerprint, run);
    }

    private const string MappingCommentPrefix = "zenith mapping ";
    private const string LoadedByPrefix = "loaded by Zenith run ";
    private const string CommentSeparator = "; ";

    public static string CreateDatabase(string database) => $"CREATE DATABASE IF NOT EXISTS {Quote(database)}";

    /// <summary>Drops the table and waits until it is gone (an Atomic database otherwise keeps its data on disk for 8 minutes).</summary>
    public static string DropTable(string database, string table) => $"DROP TABLE IF EXISTS {Table(database, table)} SYNC";

    /// <summary>Swaps two tables atomically: readers see one or the other, never neither.</summary>
    public static string ExchangeTables(string database, string first, string second) => $"EXCHANGE TABLES {Table(database, first)} AND {Table(database, second)}";

    public static string RenameTable(string database, string from, string to) => $"RENAME TABLE {Table(database, from)} TO {Table(database, to)}";

    /// <summary>The insert of RowBinary rows in <paramref name="columns"/> order (the rows follow in the body).</summary>
    public static string Insert(string database, string table, IEnumerable<string> columns) =>
        $"INSERT INTO {Table(database, table)} ({string.Join(", ", columns.Select(Quote))}) FORMAT RowBinary";

    public const string SelectVersion = "SELECT version()";

    /// <summary>1 when the table exists, else 0.</summary>
    public static string CountTables(string database, string table) =>
        $"SELECT count() FROM system.tables WHERE database = {Literal(database)} AND name = {Literal(table)}";

    /// <summary>The table's engine, with its settings (to see whether it deduplicates inserts), and its comment (the mapping fingerprint).</summary>
    public static string SelectEngine(string database, string table) =>
        $"SELECT engine, engine_full, comment FROM system.tables WHERE database = {Literal(database)} AND name = {Literal(table)}";

    /// <summary>
    /// The server's version and whether it has the settings Zenith's JSON columns need: the <c>JSON</c> type read from RowBinary as
    /// text, and dots in keys escaped instead of taken as paths (without them JSON parts are String columns).
    /// </summary>
    public const string SelectFeatures =
        "SELECT version(), (SELECT count() FROM system.settings WHERE name IN ('input_format_binary_read_json_as_string', 'json_type_escape_dots_in_keys'))";

    /// <summary>
    /// The settings of an insert into a table with JSON columns: JSON values come as text, keys with dots stay keys, strings that
    /// look like dates stay strings, a key repeated in one document keeps its first value instead of failing the insert.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, object> JsonInsertSettings = new Dictionary<string, object>
    {
        ["input_format_binary_read_json_as_string"] = 1,
        ["json_type_escape_dots_in_keys"] = 1,
        ["input_format_try_infer_dates"] = 0,
        ["input_format_try_infer_datetimes"] = 0,
        ["type_json_skip_duplicated_paths"] = 1,
    };

    /// <summary>ClickHouse parses at most this much SQL by default; a longer statement is sent with a larger <c>max_query_size</c>.</summary>
    public const int DefaultMaxQuerySize = 262_144;

    /// <summary>
    /// The table's columns in order: name, type, the comment that holds the source path, and whether the column is in the sorting
    /// or partition key (such columns are never widened).
    /// </summary>
    public static string SelectColumns(string database, string table) =>
        $"SELECT name, type, comment, is_in_sorting_key OR is_in_partition_key FROM system.columns WHERE database = {Literal(database)} AND table = {Literal(table)} ORDER BY position";

    /// <summary>
    /// The table's rows with versions collapsed, the newest value of <paramref name="newest"/> as text (a cursor column, or
    /// <see cref="NewestObjectId"/>; none when null) and the newest sync time: its size and freshness, read together.
    /// </summary>
    public static string SelectStatistics(string database, string table, string? newest) =>
        $"SELECT count(), toString({newest ?? "''"}), toString(max({Quote(TableSchema.SyncedAtColumn)})) FROM {Table(database, table)} FINAL";

    /// <summary>1 when the database exists, else 0.</summary>
    public static string CountDatabases(string database) => $"SELECT count() FROM system.databases WHERE name = {Literal(database)}";

    /// <summary>The largest of a column's values.</summary>
    public static string Max(string column) => $"max({Quote(column)})";

    /// <summary>
    /// The largest <c>_id</c> that is an ObjectId's hex text: hex texts of one length sort as the bytes do, and an ObjectId begins
    /// with its creation time in big-endian seconds, so the largest is the newest.
    /// </summary>
    public static string NewestObjectId => $"maxIf({Quote(TableSchema.IdColumn)}, match({Quote(TableSchema.IdColumn)}, '^[0-9a-f]{{24}}$'))";

    /// <summary>The table's comment (a staging table's names the run that loaded it); empty when it has none or does not exist.</summary>
    public static string SelectTableComment(string database, string table) =>
        $"SELECT comment FROM system.tables WHERE database = {Literal(database)} AND name = {Literal(table)}";

    /// <summary>Tables of the database whose name starts with <paramref name="prefix"/>, with their comments.</summary>
    public static string SelectTablesStartingWith(string database, string prefix) =>
        $"SELECT name, comment FROM system.tables WHERE database = {Literal(database)} AND startsWith(name, {Literal(prefix)})";

    /// <param name="loadedByRun">The run a staging table is made for (its comment names it, see <see cref="TableComment"/>), or null.</param>
    /// <param name="changeLog">
    /// A change-stream table: <c>ReplacingMergeTree(_zenith_version, _zenith_is_deleted)</c>, a <c>UInt128</c> version (an event's
    /// cluster time is 64 bits, its ordinal in a transaction 64 more) and the tombstone flag, so FINAL hides deleted documents.
    /// </param>
    public static string CreateTable(string database, string table, TableSchema schema, TableOptions options, string? loadedByRun = null, bool changeLog = false)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(options);
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Table(database, table)).Append('\n');
        sql.Append("(\n");
        sql.Append("    ").Append(Quote(TableSchema.IdColumn)).Append(" String,\n");
        foreach (var column in schema.Columns)
        {
            sql.Append("    ").Append(ColumnDefinition(column)).Append(",\n");
        }

        sql.Append("    ").Append(Quote(TableSchema.SyncedAtColumn)).Append(" DateTime64(3, 'UTC'),\n");
        sql.Append("    ").Append(Quote(TableSchema.VersionColumn)).Append(changeLog ? " UInt128,\n" : " UInt64,\n");
        sql.Append("    ").Append(Quote(TableSchema.IdTypeColumn)).Append(' ').Append(KeyColumns.IdTypeDefinition).Append(changeLog ? ",\n" : "\n");
        if (changeLog)
        {
            sql.Append("    ").Append(Quote(TableSchema.DeletedColumn)).Append(" UInt8\n");
        }

        sql.Append(")\n");
        sql.Append("ENGINE = ReplacingMergeTree(").Append(Quote(TableSchema.VersionColumn));
        if (changeLog)
        {
            sql.Append(", ").Append(Quote(TableSchema.DeletedColumn));
        }

        sql.Append(")\n");
        if (!string.IsNullOrWhiteSpace(options.PartitionBy))
        {
            sql.Append("PARTITION BY ").Append(options.PartitionBy).Append('\n');
        }

        sql.Append("ORDER BY ").Append(KeyColumns.SortingKey(options.OrderBy)).Append('\n');
        if (!string.IsNullOrWhiteSpace(options.Ttl))
        {
            sql.Append("TTL ").Append(options.Ttl).Append('\n');
        }

        sql.Append("SETTINGS ").Append(DeduplicationSetting);
        if (!string.IsNullOrWhiteSpace(options.OrderBy) || !string.IsNullOrWhiteSpace(options.PartitionBy))
        {
            // Flattened columns are Nullable; a user's key may name them.
            sql.Append(", allow_nullable_key = 1");
        }

        sql.Append("\nCOMMENT ").Append(Literal(TableComment(MappingRules.Fingerprint(schema.Options), loadedByRun)));
        return sql.ToString();
    }

    /// <summary>
    /// For each table option set, a throwaway definition ClickHouse parses without creating anything (<c>EXPLAIN AST</c> of a
    /// CREATE TABLE in a database that need not exist), with the number of children its storage definition has when the
    /// expression is one clause and nothing more (the engine, the clause, and the ORDER BY a partition or TTL needs).
    /// </summary>
    public static IReadOnlyList<(string Field, string Sql, int StorageChildren)> ParseCheck(TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Head = "EXPLAIN AST CREATE TABLE `_zenith_check`.`t` (`_id` String) ENGINE = MergeTree ";
        var checks = new List<(string, string, int)>();
        if (!string.IsNullOrWhiteSpace(options.OrderBy))
        {
            checks.Add(("table.orderBy", Head + "ORDER BY " + options.OrderBy, 2));
        }

        if (!string.IsNullOrWhiteSpace(options.PartitionBy))
        {
            checks.Add(("table.partitionBy", Head + "PARTITION BY " + options.PartitionBy + " ORDER BY tuple()", 3));
        }

        if (!string.IsNullOrWhiteSpace(options.Ttl))
        {
            checks.Add(("table.ttl", Head + "ORDER BY tuple() TTL " + options.Ttl, 3));
        }

        return checks;
    }

    /// <summary>What the current-rows view of a change-stream table is called: <c>{table}_current</c>.</summary>
    public static string CurrentViewName(string table) => table + "_current";

    /// <summary>
    /// The current rows of a change-stream table, without the reader writing FINAL or a filter: the newest version of each
    /// document, deleted ones left out. Replaced after every schema change (a view's columns are fixed when it is made).
    /// </summary>
    public static string CreateCurrentView(string database, string table) =>
        $"CREATE OR REPLACE VIEW {Table(database, CurrentViewName(table))} AS SELECT * EXCEPT ({Quote(TableSchema.DeletedColumn)}) " +
        $"FROM {Table(database, table)} FINAL WHERE {Quote(TableSchema.DeletedColumn)} = 0";

    /// <summary>
    /// Recent insert blocks a non-replicated table remembers, so a batch sent again with the same
    /// <c>insert_deduplication_token</c> (a retry after a lost reply) is written once. Replicated tables always do this.
    /// </summary>
    public const string DeduplicationSetting = "non_replicated_deduplication_window = 1000";

    /// <summary>
    /// Whether a table deduplicates a retried insert, from <c>system.tables</c>' <c>engine</c> and <c>engine_full</c>: replicated
    /// MergeTree tables always do; other MergeTree tables when <see cref="DeduplicationSetting"/> is above 0 in their SETTINGS;
    /// any other engine (Null feeding materialized views, Buffer, Distributed, Memory…) has no such setting, and whatever it feeds decides.
    /// </summary>
    public static InsertDeduplication Deduplication(string engine, string engineFull)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(engineFull);
        if (!engine.EndsWith("MergeTree", StringComparison.Ordinal))
        {
            return InsertDeduplication.NotApplicable;
        }

        if (engine.StartsWith("Replicated", StringComparison.Ordinal))
        {
            return InsertDeduplication.On;
        }

        // Only the SETTINGS clause: a table name or expression elsewhere in engine_full may hold the same words.
        var settings = engineFull.LastIndexOf(" SETTINGS ", StringComparison.Ordinal);
        var window = settings < 0 ? null : DeduplicationWindow().Match(engineFull, settings);
        return window is { Success: true } && decimal.Parse(window.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0
            ? InsertDeduplication.On
            : InsertDeduplication.Off;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bnon_replicated_deduplication_window = (\d+)")]
    private static partial System.Text.RegularExpressions.Regex DeduplicationWindow();

    /// <summary>Gives a table created before <see cref="DeduplicationSetting"/> existed the setting.</summary>
    public static string EnableDeduplication(string database, string table) =>
        "ALTER TABLE " + Table(database, table) + " MODIFY SETTING " + DeduplicationSetting;

    /// <summary>One ALTER TABLE for a schema change: ADD COLUMN for new paths (each after its neighbour), MODIFY COLUMN for widened ones.</summary>
    public static string? AlterTable(string database, string table, SchemaChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.IsEmpty)
        {
            return null;
        }

        var clauses = change.Added.Select((c, i) => "ADD COLUMN IF NOT EXISTS " + ColumnDefinition(c) + " AFTER " + Quote(change.AddAfter[i]))
            .Concat(change.Widened.Select(c => "MODIFY COLUMN " + ColumnDefinition(c)));
        return "ALTER TABLE " + Table(database, table) + "\n    " + string.Join(",\n    ", clauses);
    }

    private static string ColumnDefinition(ColumnDef column) =>
        Quote(column.Name) + " " + column.Type.ToClickHouse() + " COMMENT " + Literal(ColumnComment.Write(column));
}

/// <summary>What a table's comment says: the mapping fingerprint its columns were made with, and the run that loaded it (each null if unknown).</summary>
public sealed record TableMark(string? Fingerprint, string? LoadedByRun);

/// <summary>Whether a destination table writes a retried insert once (see <see cref="Ddl.Deduplication"/>).</summary>
public enum InsertDeduplication
{
    /// <summary>It does: a retry with the same deduplication token is dropped.</summary>
    On,

    /// <summary>A MergeTree table without the setting: Zenith gives it the setting.</summary>
    Off,

    /// <summary>An engine that stores elsewhere or nothing: the tables it feeds decide, Zenith cannot set it.</summary>
    NotApplicable,
}
