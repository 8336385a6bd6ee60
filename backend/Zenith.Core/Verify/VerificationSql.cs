using System.Text;
using Zenith.Core.Mapping;

namespace Zenith.Core.Verify;

/// <summary>The statements a verification sends to ClickHouse, as pure text: reads only, every identifier quoted, every value a literal.</summary>
public static class VerificationSql
{
    /// <summary>
    /// One page of the table's current rows (FINAL) in <c>_id</c> byte order: <c>_id</c> (and <paramref name="cursorColumn"/>)
    /// as RowBinary, after <paramref name="after"/> (exclusive) and up to <paramref name="upTo"/> (inclusive) when given.
    /// <paramref name="changeLog"/>: a change-stream table, whose tombstones (deleted documents) are not current rows.
    /// </summary>
    public static string IdsPage(string database, string table, string? cursorColumn, IdBracket? bracket, byte[]? after, byte[]? upTo, int limit, bool changeLog = false)
    {
        var sql = new StringBuilder("SELECT ").Append(Ddl.Quote(TableSchema.IdColumn));
        if (cursorColumn is not null)
        {
            sql.Append(", ").Append(Ddl.Quote(cursorColumn));
        }

        sql.Append(" FROM ").Append(Ddl.Table(database, table)).Append(" FINAL");
        var conditions = new List<string>();
        if (changeLog)
        {
            conditions.Add(NotDeleted);
        }

        if (bracket is { } b)
        {
            conditions.Add($"{Ddl.Quote(IdBracket.TagColumn)} = {Ddl.Literal(b.Name)}");
        }

        if (after is not null)
        {
            conditions.Add($"{Ddl.Quote(TableSchema.IdColumn)} > {Literal(after)}");
        }

        if (upTo is not null)
        {
            conditions.Add($"{Ddl.Quote(TableSchema.IdColumn)} <= {Literal(upTo)}");
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        return sql.Append(" ORDER BY ").Append(Ddl.Quote(TableSchema.IdColumn)).Append(" LIMIT ").Append(limit).Append(" FORMAT RowBinary").ToString();
    }

    /// <summary>The current rows (FINAL, without tombstones in a change-stream table) of the given keys: <c>_id</c> then <paramref name="columns"/>, as RowBinary.</summary>
    public static string RowsByKeys(string database, string table, IEnumerable<string> columns, IReadOnlyCollection<(IdBracket? Bracket, byte[] Text)> keys, bool changeLog = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var tagged = keys.Any(k => k.Bracket is not null);
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", new[] { TableSchema.IdColumn }.Concat(columns).Select(Ddl.Quote));
        if (tagged)
        {
            sql.Append(", ").Append(Ddl.Quote(IdBracket.TagColumn));
        }

        sql.Append(" FROM ").Append(Ddl.Table(database, table)).Append(" FINAL WHERE ");
        if (changeLog)
        {
            sql.Append(NotDeleted).Append(" AND ");
        }

        if (tagged)
        {
            sql.Append('(').Append(Ddl.Quote(IdBracket.TagColumn)).Append(", ").Append(Ddl.Quote(TableSchema.IdColumn)).Append(") IN (")
                .AppendJoin(", ", keys.Select(k => $"({Ddl.Literal(k.Bracket!.Value.Name)}, {Literal(k.Text)})"));
        }
        else
        {
            sql.Append(Ddl.Quote(TableSchema.IdColumn)).Append(" IN (").AppendJoin(", ", keys.Select(k => Literal(k.Text)));
        }

        return sql.Append(") FORMAT RowBinary").ToString();
    }

    /// <summary>The row count of the table read with FINAL (without a change-stream table's tombstones).</summary>
    public static string CountFinal(string database, string table, bool changeLog = false) =>
        $"SELECT count() FROM {Ddl.Table(database, table)} FINAL" + (changeLog ? " WHERE " + NotDeleted : "");

    /// <summary>A change-stream table's current rows: the newest version of a document that is not a tombstone.</summary>
    private static string NotDeleted => $"{Ddl.Quote(TableSchema.DeletedColumn)} = 0";

    /// <summary>A string literal of any bytes: printable ASCII as it is, everything else as <c>\xHH</c>, so the text of the statement is ASCII.</summary>
    public static string Literal(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2).Append('\'');
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F && b != '\\' && b != '\'')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.Append('\'').ToString();
    }
}
