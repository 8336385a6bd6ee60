using System.Numerics;
using ClickHouse.Driver;
using Zenith.Bench.DataSets;

namespace Zenith.Bench.Harness;

/// <summary>The harness's own view of the ClickHouse test server: DDL, checks, clean-up.</summary>
internal sealed class Destination(string url, string connectionString) : IDisposable
{
    private readonly ClickHouseClient client = new(connectionString);

    public string Url { get; } = url;

    public string ConnectionString { get; } = connectionString;

    public ClickHouseClient Client => client;

    public static string Quote(string identifier) => "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    public static string Name(string database, string table) => Quote(database) + "." + Quote(table);

    /// <summary>A ClickHouse string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public Task ExecuteAsync(string sql, CancellationToken ct) => client.ExecuteNonQueryAsync(sql, null, null, ct);

    public async Task<string> ScalarTextAsync(string sql, CancellationToken ct) =>
        Convert.ToString(await client.ExecuteScalarAsync(sql, null, null, ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public Task DropTableAsync(string database, string table, CancellationToken ct) =>
        ExecuteAsync($"DROP TABLE IF EXISTS {Name(database, table)}", ct);

    /// <summary>Null when the table holds exactly the expected content, else what differs.</summary>
    public async Task<string?> VerifyAsync(string database, string table, ExpectedContent expected, bool final, CancellationToken ct)
    {
        var sql = $"SELECT {ExpectedContent.CheckSelect} FROM {Name(database, table)}{(final ? " FINAL" : "")}";
        using var reader = await client.ExecuteReaderAsync(sql, null, null, ct).ConfigureAwait(false);
        if (!reader.Read())
            return "the check query returned no row";
        return expected.Compare(
            (long)Bits(reader.GetValue(0)),
            Bits(reader.GetValue(1)),
            (long)Bits(reader.GetValue(2)),
            Bits(reader.GetValue(3)),
            (long)Bits(reader.GetValue(4)));
    }

    /// <summary>Sums wrap modulo 2^64 on both sides, so compare the bits whatever integer type came back.</summary>
    private static ulong Bits(object? value) => value switch
    {
        null or DBNull => 0,
        ulong u => u,
        long l => unchecked((ulong)l),
        uint u => u,
        int i => unchecked((ulong)i),
        BigInteger b => (ulong)(b & ulong.MaxValue),
        _ => unchecked((ulong)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    public void Dispose() => client.Dispose();
}
