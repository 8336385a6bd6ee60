using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Zenith.TestServers.ClickHouse.Engine;

namespace Zenith.TestServers.ClickHouse;

/// <summary>A cluster in <c>remote_servers</c>: its shards, each a list of replicas' native (TCP) ports on 127.0.0.1.</summary>
/// <param name="InternalReplication">
/// False: a write through a <c>Distributed</c> table goes to every replica of a shard (there is no replication to
/// rely on in chDB). True: to one replica, as with replicated tables.
/// </param>
public sealed record ClickHouseClusterDefinition(string Name, IReadOnlyList<IReadOnlyList<int>> Shards, bool InternalReplication = false);

/// <summary>
/// Writes one server's configuration into its <see cref="EngineLayout"/>: ports on 127.0.0.1 (HTTP and native TCP
/// only; the MySQL, PostgreSQL, gRPC, interserver and Prometheus ports are left out, so nothing else listens), its
/// users, the clusters it knows, and the batch the engine runs.
/// </summary>
internal static class ClickHouseServerConfig
{
    public const string DefaultUser = "default";

    public static void Write(EngineLayout layout, string user, string? password, int httpPort, int nativePort, IReadOnlyList<ClickHouseClusterDefinition> clusters)
    {
        var config = new XElement("clickhouse",
            new XElement("listen_host", "127.0.0.1"),
            new XElement("http_port", httpPort),
            new XElement("tcp_port", nativePort),
            new XElement("user_directories",
                new XElement("users_xml", new XElement("path", layout.Users)),
                // Where CREATE USER puts users: the configured user has access management, as in the compose stack.
                new XElement("local_directory", new XElement("path", Path.Combine(layout.Data, "access") + "/"))));
        if (clusters.Count > 0)
            config.Add(new XElement("remote_servers", clusters.Select(cluster => Cluster(cluster, user, password))));
        new XDocument(config).Save(layout.Config);
        new XDocument(Users(user, password)).Save(layout.Users);
        File.WriteAllText(layout.Queries, KeepAliveBatch);
    }

    /// <summary>
    /// Starts both listeners, then sleeps 3 s per row of the endless <c>system.numbers</c> (one row per block): the
    /// batch never ends by itself, however long a CI run lasts, and costs no CPU. Killing it (its query id is
    /// <see cref="EngineLayout.KeepAliveQueryId"/>) stops the server.
    /// </summary>
    private const string KeepAliveBatch = """
        SYSTEM START LISTEN TCP;
        SYSTEM START LISTEN HTTP;
        SELECT sleep(3) FROM system.numbers
        SETTINGS max_block_size = 1, function_sleep_max_microseconds_per_block = 3000000, max_execution_time = 0
        FORMAT Null;
        """;

    private static XElement Users(string user, string? password)
    {
        var users = new XElement("users");
        if (user == DefaultUser)
        {
            if (!string.IsNullOrEmpty(password))
                throw new ArgumentException("chDB runs its own batch as user 'default' without a password, so 'default' cannot have one here: name another user.", nameof(password));
            users.Add(User(DefaultUser, password: null, access: [new XElement("access_management", 1)]));
        }
        else
        {
            users.Add(User(user, password, [new XElement("access_management", 1)]));
            // chDB's clickhouse-local always authenticates its own session as 'default' with an empty password from
            // 127.0.0.1, so that user has to exist: it may run only what the batch needs.
            users.Add(User(DefaultUser, password: null,
            [
                new XElement("grants",
                    new XElement("query", "GRANT SYSTEM LISTEN ON *.*"),
                    new XElement("query", "GRANT SELECT ON system.numbers")),
            ], networks: ["127.0.0.1"]));
        }
        return new XElement("clickhouse",
            new XElement("profiles", new XElement("default")),
            new XElement("quotas", new XElement("default")),
            users);
    }

    private static XElement User(string name, string? password, IEnumerable<XElement> access, string[]? networks = null) =>
        new(ValidUserName(name),
            string.IsNullOrEmpty(password)
                ? new XElement("no_password")
                : new XElement("password_sha256_hex", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)))),
            new XElement("networks", (networks ?? ["127.0.0.1", "::1"]).Select(ip => new XElement("ip", ip))),
            new XElement("profile", "default"),
            new XElement("quota", "default"),
            access);

    private static XElement Cluster(ClickHouseClusterDefinition cluster, string user, string? password) =>
        new(ValidUserName(cluster.Name), cluster.Shards.Select(shard =>
            new XElement("shard",
                new XElement("internal_replication", cluster.InternalReplication ? "true" : "false"),
                shard.Select(port => new XElement("replica",
                    new XElement("host", "127.0.0.1"),
                    new XElement("port", port),
                    new XElement("user", user),
                    new XElement("password", password ?? string.Empty))))));

    // users.xml and remote_servers name their entries by element name.
    private static string ValidUserName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0])
            ? name
            : throw new ArgumentException($"'{name}' is not usable here: letters, digits and '_' only, not starting with a digit.", nameof(name));
}
