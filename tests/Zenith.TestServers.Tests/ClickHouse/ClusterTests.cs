using ClickHouse.Driver;
using Xunit.Sdk;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>The two-node fixture: Distributed writes to both replicas or split over shards, and the helper that compares the nodes.</summary>
public sealed class ClusterTests(ClickHouseCluster cluster) : IClassFixture<ClickHouseCluster>, IAsyncLifetime
{
    private readonly string database = ClickHouseFixture.NewDatabaseName("cluster");

    public async Task InitializeAsync()
    {
        await cluster.ExecuteOnEachAsync($"CREATE DATABASE `{database}`");
        await cluster.ExecuteOnEachAsync($"CREATE TABLE `{database}`.events (id UInt64, name String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
    }

    public Task DisposeAsync() => cluster.ExecuteOnEachAsync($"DROP DATABASE IF EXISTS `{database}`");

    [Fact]
    public async Task A_write_through_a_Distributed_table_on_the_replicas_cluster_lands_on_both_nodes()
    {
        await cluster.ExecuteOnEachAsync($"CREATE TABLE `{database}`.events_all AS `{database}`.events ENGINE = Distributed({ClickHouseCluster.ReplicasCluster}, `{database}`, events)");

        await cluster.Clients[0].ExecuteNonQueryAsync(
            $"INSERT INTO `{database}`.events_all SELECT number, concat('event ', toString(number)), toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + number FROM numbers(10000) SETTINGS distributed_foreground_insert = 1");

        Assert.Equal(10_000, await cluster.AssertSameRowsAsync(database, "events"));
        foreach (var client in cluster.Clients)
            Assert.Equal(10_000UL, await client.ExecuteScalarAsync($"SELECT count() FROM `{database}`.events"));
    }

    [Fact]
    public async Task A_Distributed_table_on_the_shards_cluster_splits_the_rows_and_reads_them_all_back()
    {
        await cluster.ExecuteOnEachAsync($"CREATE TABLE `{database}`.events_all AS `{database}`.events ENGINE = Distributed({ClickHouseCluster.ShardsCluster}, `{database}`, events, id % 2)");

        await cluster.Clients[1].ExecuteNonQueryAsync($"INSERT INTO `{database}`.events_all SELECT number, toString(number), now64(3) FROM numbers(1000)");
        await cluster.Clients[1].ExecuteNonQueryAsync($"SYSTEM FLUSH DISTRIBUTED `{database}`.events_all");

        var perNode = new List<ulong>();
        foreach (var client in cluster.Clients)
        {
            Assert.Equal(0UL, await client.ExecuteScalarAsync($"SELECT countIf(id % 2 != {perNode.Count}) FROM `{database}`.events"));
            perNode.Add((ulong)(await client.ExecuteScalarAsync($"SELECT count() FROM `{database}`.events"))!);
        }
        Assert.Equal([500UL, 500UL], perNode);
        Assert.Equal(1000UL, await cluster.Clients[0].ExecuteScalarAsync($"SELECT count() FROM `{database}`.events_all"));
        Assert.Equal(499_500UL, await cluster.Clients[0].ExecuteScalarAsync($"SELECT sum(id) FROM `{database}`.events_all"));
    }

    [Fact]
    public async Task The_comparison_names_the_first_row_that_differs_between_the_nodes()
    {
        await cluster.Clients[0].ExecuteNonQueryAsync($"INSERT INTO `{database}`.events VALUES (1, 'same', '2026-01-01 00:00:00'), (2, 'left', '2026-01-01 00:00:00')");
        await cluster.Clients[1].ExecuteNonQueryAsync($"INSERT INTO `{database}`.events VALUES (1, 'same', '2026-01-01 00:00:00'), (2, 'right', '2026-01-01 00:00:00')");

        var error = await Assert.ThrowsAsync<FailException>(() => cluster.AssertSameRowsAsync(database, "events"));

        Assert.Contains("at row 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("2\tleft\t2026-01-01 00:00:00.000", error.Message, StringComparison.Ordinal);
        Assert.Contains("2\tright\t2026-01-01 00:00:00.000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_missing_on_one_node_is_a_difference_too()
    {
        await cluster.Clients[0].ExecuteNonQueryAsync($"INSERT INTO `{database}`.events VALUES (1, 'a', '2026-01-01 00:00:00'), (2, 'b', '2026-01-01 00:00:00')");
        await cluster.Clients[1].ExecuteNonQueryAsync($"INSERT INTO `{database}`.events VALUES (1, 'a', '2026-01-01 00:00:00')");

        var error = await Assert.ThrowsAsync<FailException>(() => cluster.AssertSameRowsAsync(database, "events"));

        Assert.Contains("2 rows on node 1 and 1 on node 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ON_CLUSTER_DDL_is_refused_as_chDB_has_no_distributed_DDL()
    {
        var error = await Assert.ThrowsAsync<ClickHouseServerException>(() =>
            cluster.Clients[0].ExecuteNonQueryAsync($"CREATE TABLE `{database}`.on_cluster ON CLUSTER {ClickHouseCluster.ReplicasCluster} (id UInt64) ENGINE = MergeTree ORDER BY id"));

        Assert.Contains("Replicated DDL queries are disabled", error.Message, StringComparison.Ordinal);
    }
}
