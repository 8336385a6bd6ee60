using System.Globalization;
using ClickHouse.Driver;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

[Collection(ClickHouseFixture.CollectionName)]
public sealed class ServerBehaviourTests(ClickHouseFixture clickHouse) : IAsyncLifetime
{
    private string database = string.Empty;

    public async Task InitializeAsync() => database = await clickHouse.CreateDatabaseAsync("srv");

    public Task DisposeAsync() => clickHouse.DropDatabaseAsync(database);

    [Fact]
    public async Task Unknown_table_is_a_server_exception_with_code_60()
    {
        var error = await Assert.ThrowsAsync<ClickHouseServerException>(() => clickHouse.QueryAsync($"SELECT * FROM `{database}`.missing"));

        Assert.Equal(60, error.ErrorCode);
        Assert.Contains("UNKNOWN_TABLE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Syntax_error_is_a_server_exception_with_code_62()
    {
        var error = await Assert.ThrowsAsync<ClickHouseServerException>(() => clickHouse.QueryAsync("SELEKT 1"));

        Assert.Equal(62, error.ErrorCode);
    }

    [Fact]
    public async Task Typed_parameters_are_bound_by_the_server()
    {
        const string tricky = "it's a \"test\"\twith\nnewline, back\\slash and 🎉";

        var text = await clickHouse.ScalarAsync<string>("SELECT {p:String}", new { p = tricky });
        var sum = await clickHouse.ScalarAsync<long>("SELECT {a:Int64} + {b:Int64}", new { a = 40L, b = 2L });

        Assert.Equal(tricky, text);
        Assert.Equal(42L, sum);
    }

    [Fact]
    public async Task Parameters_filter_rows()
    {
        await clickHouse.ExecuteAsync($"CREATE TABLE `{database}`.p (id Int32, name String) ENGINE = MergeTree ORDER BY id");
        await clickHouse.ExecuteAsync($"INSERT INTO `{database}`.p VALUES (1, 'a'), (2, 'b''s'), (3, 'c')");

        var rows = await clickHouse.QueryAsync($"SELECT id FROM `{database}`.p WHERE name = {{name:String}}", new { name = "b's" });

        Assert.Equal(2, Convert.ToInt32(Assert.Single(rows)[0], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Concurrent_queries_from_several_tasks_all_succeed()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 16).Select(i =>
            clickHouse.ScalarAsync<ulong>($"SELECT sum(number) FROM numbers({i * 1000})")));

        for (var i = 1; i <= 16; i++)
        {
            ulong n = (ulong)(i * 1000);
            Assert.Equal(n * (n - 1) / 2, results[i - 1]);
        }
    }

    [Fact]
    public async Task Exchange_tables_swaps_their_contents()
    {
        await clickHouse.ExecuteAsync($"CREATE TABLE `{database}`.live (v String) ENGINE = MergeTree ORDER BY v");
        await clickHouse.ExecuteAsync($"CREATE TABLE `{database}`.staging (v String) ENGINE = MergeTree ORDER BY v");
        await clickHouse.ExecuteAsync($"INSERT INTO `{database}`.live VALUES ('old')");
        await clickHouse.ExecuteAsync($"INSERT INTO `{database}`.staging VALUES ('new')");

        await clickHouse.ExecuteAsync($"EXCHANGE TABLES `{database}`.live AND `{database}`.staging");

        Assert.Equal("new", await clickHouse.ScalarAsync<string>($"SELECT v FROM `{database}`.live"));
        Assert.Equal("old", await clickHouse.ScalarAsync<string>($"SELECT v FROM `{database}`.staging"));
    }

    [Fact]
    public async Task Database_of_the_connection_string_is_the_default_for_unqualified_names()
    {
        await clickHouse.ExecuteAsync($"CREATE TABLE `{database}`.here (v Int32) ENGINE = Memory");
        using var client = new ClickHouseClient(clickHouse.ConnectionStringFor(database));

        await client.ExecuteNonQueryAsync("INSERT INTO here VALUES (7)");

        Assert.Equal(database, await client.ExecuteScalarAsync("SELECT currentDatabase()"));
        Assert.Equal(7, Convert.ToInt32(await client.ExecuteScalarAsync("SELECT v FROM here"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Ping_answers_ok()
    {
        using var http = new HttpClient();

        var body = await http.GetStringAsync(new Uri(new Uri(clickHouse.Url), "/ping"));

        Assert.Equal("Ok.\n", body);
        Assert.True(await clickHouse.Client.PingAsync());
    }

    [Fact]
    public async Task Large_select_streams_every_row()
    {
        const int count = 1_000_000;

        var rows = 0L;
        var sum = 0UL;
        using (var reader = await clickHouse.Client.ExecuteReaderAsync($"SELECT number, toString(number) FROM numbers({count})"))
        {
            while (reader.Read())
            {
                rows++;
                sum += (ulong)reader.GetValue(0);
            }
        }

        Assert.Equal(count, rows);
        Assert.Equal((ulong)count * (count - 1) / 2, sum);
    }
}
