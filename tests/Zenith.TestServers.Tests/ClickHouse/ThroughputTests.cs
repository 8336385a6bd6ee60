using System.Diagnostics;
using System.Globalization;
using ClickHouse.Driver;
using Xunit.Abstractions;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>
/// A million rows through the driver's binary bulk insert and back, checked for completeness; the
/// rates are written to the test output (they are reported, never asserted).
/// </summary>
[Collection(ClickHouseFixture.CollectionName)]
public sealed class ThroughputTests(ClickHouseFixture clickHouse, ITestOutputHelper output) : IAsyncLifetime
{
    private const int RowCount = 1_000_000;
    private string database = string.Empty;

    public async Task InitializeAsync() => database = await clickHouse.CreateDatabaseAsync("perf");

    public Task DisposeAsync() => clickHouse.DropDatabaseAsync(database);

    [Fact]
    public async Task A_million_rows_in_batches_of_100000_are_all_written_and_read_back()
    {
        await clickHouse.ExecuteAsync($"""
            CREATE TABLE `{database}`.wide (
                id Int64, version UInt64, name String, email Nullable(String), score Float64, amount Decimal(18, 4),
                active Bool, created DateTime64(3, 'UTC'), tags Array(String), counter Int32
            ) ENGINE = ReplacingMergeTree(version) ORDER BY id
            """);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, RowCount).Select(i => new object[]
        {
            (long)i, (ulong)i, $"user {i}", i % 10 == 0 ? null! : $"user{i}@example.com", i * 0.25, i / 100m,
            i % 2 == 0, start.AddSeconds(i), new[] { "a", $"t{i % 50}" }, i % 1000,
        });

        var insertClock = Stopwatch.StartNew();
        var written = await clickHouse.Client.InsertBinaryAsync(
            $"`{database}`.wide", columns: null, rows, new InsertOptions { BatchSize = 100_000 });
        insertClock.Stop();

        var readClock = Stopwatch.StartNew();
        long read = 0, idSum = 0;
        using (var reader = await clickHouse.Client.ExecuteReaderAsync($"SELECT * FROM `{database}`.wide"))
        {
            while (reader.Read())
            {
                read++;
                idSum += (long)reader.GetValue(0);
            }
        }
        readClock.Stop();

        Assert.Equal(RowCount, written);
        Assert.Equal(RowCount, read);
        Assert.Equal((long)RowCount * (RowCount - 1) / 2, idSum);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bulk insert: {RowCount / insertClock.Elapsed.TotalSeconds:N0} rows/s ({insertClock.Elapsed.TotalSeconds:N2} s); select: {RowCount / readClock.Elapsed.TotalSeconds:N0} rows/s ({readClock.Elapsed.TotalSeconds:N2} s)"));
    }
}
