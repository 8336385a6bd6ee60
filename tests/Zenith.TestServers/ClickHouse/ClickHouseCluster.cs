using System.Globalization;
using ClickHouse.Driver;
using Xunit;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// Two ClickHouse test servers that know each other through <c>remote_servers</c>, for tests of writes spread over
/// nodes: through a <c>Distributed</c> table on either node, or to each node directly.
/// <list type="bullet">
/// <item><see cref="ReplicasCluster"/>: one shard whose two replicas are the two nodes, <c>internal_replication</c>
/// false, so a write through a <c>Distributed</c> table goes to both nodes (ClickHouse itself sends it to each).</item>
/// <item><see cref="ShardsCluster"/>: two shards of one node each; a <c>Distributed</c> table's sharding key splits
/// the rows between them.</item>
/// </list>
/// A <c>Distributed</c> insert is sent on in the background unless the insert sets
/// <c>distributed_foreground_insert = 1</c> or the test runs <c>SYSTEM FLUSH DISTRIBUTED</c> before it reads.
/// <para>
/// What it cannot exercise, because chDB cannot: replicated tables (<c>ReplicatedMergeTree</c>: chDB has no
/// interserver endpoint, so replicas stay read-only, even with a ZooKeeper), the <c>Replicated</c> database engine, and
/// <c>ON CLUSTER</c> DDL (no distributed DDL worker: "Replicated DDL queries are disabled"). DDL runs on each node
/// (<see cref="ExecuteOnEachAsync"/>); "replication" here is ClickHouse's <c>Distributed</c> engine writing to every
/// replica, with none of replication's deduplication, fetches or quorum.
/// </para>
/// Use it as a class fixture (<c>IClassFixture&lt;ClickHouseCluster&gt;</c>) or with <see cref="StartAsync"/>. It
/// always starts its own two servers: no environment variable names a real cluster yet.
/// </summary>
public sealed class ClickHouseCluster : IAsyncLifetime, IAsyncDisposable
{
    public const string ReplicasCluster = "zenith_replicas";
    public const string ShardsCluster = "zenith_shards";
    private const int MaxStartAttempts = 5;

    private readonly string? user;
    private readonly string? password;
    private readonly List<ClickHouseTestServer> nodes = [];
    private readonly List<ClickHouseClient> clients = [];

    /// <summary>A cluster whose nodes' account is <c>default</c> without a password.</summary>
    public ClickHouseCluster()
        : this(user: null, password: null)
    {
    }

    // xunit builds a class fixture through its only public constructor; other accounts come through StartAsync.
    private ClickHouseCluster(string? user, string? password)
    {
        this.user = user;
        this.password = password;
    }

    /// <summary>The two nodes; each knows both clusters.</summary>
    public IReadOnlyList<ClickHouseTestServer> Nodes => nodes;

    /// <summary>A client per node, in the order of <see cref="Nodes"/>.</summary>
    public IReadOnlyList<ClickHouseClient> Clients => clients;

    /// <summary>Starts a cluster whose nodes' account is <paramref name="user"/> with <paramref name="password"/> (see <see cref="ClickHouseTestServer.StartAsync(string?, string?, CancellationToken)"/>).</summary>
    public static async Task<ClickHouseCluster> StartAsync(string? user = null, string? password = null, CancellationToken ct = default)
    {
        var cluster = new ClickHouseCluster(user, password);
        await cluster.StartNodesAsync(ct);
        return cluster;
    }

    public Task InitializeAsync() => StartNodesAsync(CancellationToken.None);

    /// <summary>Runs a statement on every node (DDL: there is no <c>ON CLUSTER</c> here).</summary>
    public async Task ExecuteOnEachAsync(string sql, CancellationToken ct = default)
    {
        foreach (var (node, client) in nodes.Zip(clients))
        {
            node.ThrowIfDied();
            await client.ExecuteNonQueryAsync(sql, cancellationToken: ct);
        }
    }

    /// <summary>
    /// Asserts that <paramref name="table"/> holds the same rows on both nodes, value by value (every column, in
    /// ClickHouse's text form, rows sorted by all columns; <c>FINAL</c> when <paramref name="final"/>), and returns
    /// how many rows that is, for the caller to check too.
    /// </summary>
    public async Task<long> AssertSameRowsAsync(string database, string table, bool final = false, CancellationToken ct = default)
    {
        var sql = $"SELECT * FROM {Quote(database)}.{Quote(table)}{(final ? " FINAL" : "")} ORDER BY ALL FORMAT TabSeparated";
        var rows = new List<string[]>();
        foreach (var (node, client) in nodes.Zip(clients))
        {
            node.ThrowIfDied();
            using var result = await client.ExecuteRawResultAsync(sql, null, ct);
            await using var stream = await result.ReadDecompressedStreamAsync();
            using var reader = new StreamReader(stream);
            var text = await reader.ReadToEndAsync(ct);
            rows.Add(text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n'));
        }
        var (first, second) = (rows[0], rows[1]);
        for (var i = 0; i < Math.Min(first.Length, second.Length); i++)
        {
            if (!string.Equals(first[i], second[i], StringComparison.Ordinal))
                Assert.Fail($"{database}.{table} differs between the nodes at row {i + 1} (of {first.Length} and {second.Length}, sorted):{Environment.NewLine}  node 1: {first[i]}{Environment.NewLine}  node 2: {second[i]}");
        }
        if (first.Length != second.Length)
        {
            var longer = first.Length > second.Length ? first : second;
            Assert.Fail($"{database}.{table} holds {first.Length.ToString(CultureInfo.InvariantCulture)} rows on node 1 and {second.Length.ToString(CultureInfo.InvariantCulture)} on node 2; the first row only node {(longer == first ? 1 : 2)} holds: {longer[Math.Min(first.Length, second.Length)]}");
        }
        return first.Length;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in clients)
            client.Dispose();
        clients.Clear();
        var failures = new List<Exception>();
        foreach (var node in nodes)
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e);
            }
        }
        nodes.Clear();
        if (failures.Count > 0)
            throw new AggregateException("A node of the ClickHouse test cluster died while in use.", failures);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task StartNodesAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Both nodes' ports are known before either starts: each one's remote_servers names both.
            var ports = FreePorts.Take(4);
            var (http, native) = (new[] { ports[0], ports[1] }, new[] { ports[2], ports[3] });
            ClickHouseClusterDefinition[] clusters =
            [
                new(ReplicasCluster, [[native[0], native[1]]]),
                new(ShardsCluster, [[native[0]], [native[1]]]),
            ];
            var starts = Enumerable.Range(0, 2)
                .Select(i => ClickHouseTestServer.StartOnAsync(user, password, http[i], native[i], clusters, ct))
                .ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            catch (Exception) when (starts.Any(s => s.IsFaulted))
            {
                foreach (var started in starts.Where(s => s.IsCompletedSuccessfully))
                    await started.Result.DisposeAsync();
                if (attempt < MaxStartAttempts && starts.All(s => s.IsCompletedSuccessfully || s.Exception?.InnerException is PortTakenException))
                    continue;
                throw starts.First(s => s.IsFaulted).Exception!.InnerException!;
            }
            nodes.AddRange(starts.Select(s => s.Result));
            clients.AddRange(nodes.Select(n => new ClickHouseClient(n.ConnectionString)));
            return;
        }
    }

    private static string Quote(string identifier) => "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";
}
