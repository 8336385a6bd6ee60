using Zenith.Core.Mapping;
using Zenith.Core.Verify;
using Zenith.Sync.ClickHouse;

namespace Zenith.Sync.Verify;

/// <summary>A key of the table: the <c>_id</c> text, with its bracket when the table has the type-tag column.</summary>
internal readonly record struct RowKey(sbyte Bracket, byte[] Text) : IEquatable<RowKey>
{
    public const sbyte Untagged = sbyte.MinValue;

    public static RowKey Of(IdEntry entry, bool tagged) => new(tagged ? entry.Bracket.Value : Untagged, entry.Text);

    public bool Equals(RowKey other) => Bracket == other.Bracket && Text.AsSpan().SequenceEqual(other.Text);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Bracket);
        hash.AddBytes(Text);
        return hash.ToHashCode();
    }
}

/// <summary>
/// The ClickHouse side of a verification: the table's current rows (FINAL; a change-stream table's without its tombstones) in <c>_id</c> order, page by page, and rows by key.
/// Every statement comes from <see cref="VerificationSql"/>; answers are RowBinary, cut into columns by <see cref="RowBinaryLayout"/>.
/// </summary>
internal sealed class ClickHouseRows(ClickHouseSink sink, string database, string table, bool tagged, bool changeLog = false)
{
    public bool Tagged => tagged;

    /// <summary>Rows after <paramref name="after"/> up to <paramref name="upTo"/> (inclusive), at most <paramref name="limit"/>: text and cursor bytes.</summary>
    public async Task<List<(byte[] Text, byte[]? Cursor)>> PageAsync(IdBracket? bracket, ColumnDef? cursor, byte[]? after, byte[]? upTo, int limit, CancellationToken ct)
    {
        var bytes = await sink.QueryRowBinaryAsync(VerificationSql.IdsPage(database, table, cursor?.Name, tagged ? bracket : null, after, upTo, limit, changeLog), ct);
        var rows = new List<(byte[], byte[]?)>();
        var position = 0;
        while (position < bytes.Length)
        {
            var text = RowBinaryLayout.ReadString(bytes.AsSpan(position), out var length).ToArray();
            position += length;
            byte[]? value = null;
            if (cursor is not null)
            {
                var size = RowBinaryLayout.Measure(cursor.Type, bytes.AsSpan(position));
                value = bytes.AsSpan(position, size).ToArray();
                position += size;
            }

            rows.Add((text, value));
        }

        return rows;
    }

    /// <summary>The rows of <paramref name="keys"/> that exist, each cut into the values of <paramref name="columns"/>.</summary>
    public async Task<Dictionary<RowKey, byte[][]>> RowsAsync(IReadOnlyList<ColumnDef> columns, IReadOnlyCollection<IdEntry> keys, CancellationToken ct)
    {
        var rows = new Dictionary<RowKey, byte[][]>();
        foreach (var chunk in keys.Chunk(500))
        {
            var sql = VerificationSql.RowsByKeys(database, table, columns.Select(c => c.Name), [.. chunk.Select(k => (tagged ? k.Bracket : (IdBracket?)null, k.Text))], changeLog);
            var bytes = await sink.QueryRowBinaryAsync(sql, ct, json: columns.Any(c => c.Type.Kind == ColumnKind.Json && c.Type.Shape == ColumnShape.Scalar));
            var position = 0;
            while (position < bytes.Length)
            {
                var text = RowBinaryLayout.ReadString(bytes.AsSpan(position), out var length).ToArray();
                position += length;
                var values = new byte[columns.Count][];
                for (var i = 0; i < columns.Count; i++)
                {
                    var size = RowBinaryLayout.Measure(columns[i].Type, bytes.AsSpan(position));
                    values[i] = bytes.AsSpan(position, size).ToArray();
                    position += size;
                }

                // The tag is an Enum8: one signed byte, the bracket's value.
                var bracket = tagged ? (sbyte)bytes[position++] : RowKey.Untagged;
                rows[new RowKey(bracket, text)] = values;
            }
        }

        return rows;
    }

    public async Task<long> CountAsync(CancellationToken ct)
    {
        var bytes = await sink.QueryRowBinaryAsync(VerificationSql.CountFinal(database, table, changeLog) + " FORMAT RowBinary", ct);
        return (long)BitConverter.ToUInt64(bytes, 0);
    }
}
