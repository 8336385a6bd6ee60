using System.Globalization;
using ClickHouse.Driver;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

[Collection(ClickHouseFixture.CollectionName)]
public sealed class BulkCopyRoundTripTests(ClickHouseFixture clickHouse) : IAsyncLifetime
{
    private const int RowCount = 100_000;
    private string database = string.Empty;

    public async Task InitializeAsync() => database = await clickHouse.CreateDatabaseAsync("bulk");

    public Task DisposeAsync() => clickHouse.DropDatabaseAsync(database);

    [Fact]
    public async Task Bulk_copy_of_mixed_types_into_ReplacingMergeTree_reads_back_equal()
    {
        await clickHouse.ExecuteAsync($"""
            CREATE TABLE `{database}`.items (
                id Int64, version Int32, name Nullable(String), nums Array(Int64), tags Array(String),
                at DateTime64(3, 'UTC'), amount Decimal(38, 6), active Bool, text String, ratio Float64
            ) ENGINE = ReplacingMergeTree(version) ORDER BY id
            """);
        var rows = Enumerable.Range(0, RowCount).Select(MakeRow).ToList();

        var written = await clickHouse.Client.InsertBinaryAsync(
            $"`{database}`.items", columns: null, rows!, new InsertOptions { BatchSize = 25_000 });

        Assert.Equal(RowCount, written);
        var back = await clickHouse.QueryAsync($"SELECT * FROM `{database}`.items FINAL ORDER BY id");
        Assert.Equal(RowCount, back.Count);
        for (var i = 0; i < RowCount; i++)
        {
            var expected = rows[i];
            var actual = back[i];
            Assert.Equal((long)expected[0]!, Convert.ToInt64(actual[0], CultureInfo.InvariantCulture));
            Assert.Equal((int)expected[1]!, Convert.ToInt32(actual[1], CultureInfo.InvariantCulture));
            Assert.Equal(expected[2], actual[2]);
            Assert.Equal((long[])expected[3]!, Assert.IsType<long[]>(actual[3]));
            Assert.Equal((string[])expected[4]!, Assert.IsType<string[]>(actual[4]));
            Assert.Equal((DateTime)expected[5]!, AsUtc(actual[5]));
            Assert.Equal((decimal)expected[6]!, Convert.ToDecimal(actual[6], CultureInfo.InvariantCulture));
            Assert.Equal((bool)expected[7]!, Assert.IsType<bool>(actual[7]));
            Assert.Equal((string)expected[8]!, Assert.IsType<string>(actual[8]));
            Assert.Equal((double)expected[9]!, Assert.IsType<double>(actual[9]));
        }
    }

    [Fact]
    public async Task ReplacingMergeTree_keeps_the_highest_version_of_a_key()
    {
        await clickHouse.ExecuteAsync($"CREATE TABLE `{database}`.versions (id Int64, version Int32, v String) ENGINE = ReplacingMergeTree(version) ORDER BY id");
        object[][] rows = [[1L, 1, "old"], [1L, 3, "newest"], [1L, 2, "newer"], [2L, 1, "only"]];
        await clickHouse.Client.InsertBinaryAsync($"`{database}`.versions", columns: null, rows);

        var back = await clickHouse.QueryAsync($"SELECT id, v FROM `{database}`.versions FINAL ORDER BY id");

        Assert.Equal([[1L, "newest"], [2L, "only"]], back.Select(r => new object?[] { Convert.ToInt64(r[0], CultureInfo.InvariantCulture), r[1] }));
    }

    private static object?[] MakeRow(int i)
    {
        var texts = new[] { "plain", "quote ' and \" and `", "line\nbreak\r\ttab", "emoji 🎉 and ünïcödé 中文", "back\\slash", string.Empty };
        return
        [
            (long)i,
            i % 7,
            i % 5 == 0 ? null : $"name-{i}",
            Enumerable.Range(0, i % 4).Select(k => (long)k * i - 3_000_000_000L).ToArray(),
            Enumerable.Range(0, i % 3).Select(k => k == 1 ? $"t'{i}\n" : $"tag{k}").ToArray(),
            new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(i * 1_234_567L),
            decimal.Round((i - 50_000) * 1_234.567891m, 6),
            i % 2 == 0,
            texts[i % texts.Length] + i.ToString(CultureInfo.InvariantCulture),
            i * 0.5 - 1e-3,
        ];
    }

    private static DateTime AsUtc(object? value) => value switch
    {
        DateTime d => d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime(),
        DateTimeOffset o => o.UtcDateTime,
        _ => throw new InvalidCastException($"Unexpected DateTime64 value type {value?.GetType()}"),
    };
}
