using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Mongo;

/// <summary>
/// What MongoDB's errors mean to a person, as one short line per cause: a host name that does not resolve, a refused or
/// unanswered connection, TLS, authentication, a missing collection, a missing permission. The driver's own text (for a
/// server-selection timeout, its whole view of the cluster) is kept as the detail. Never a password.
/// </summary>
internal static class MongoErrors
{
    /// <summary>The database or collection does not exist.</summary>
    public const int NamespaceNotFound = 26;

    /// <summary>ChangeStreamHistoryLost: the resume position is no longer in the oplog.</summary>
    public const int ChangeStreamHistoryLost = 286;

    /// <summary>BSONObjectTooLarge: a change event (after the pipeline's stages) is over 16 MB.</summary>
    public const int ObjectTooLarge = 10334;

    /// <summary>
    /// Whether an open cursor's read failed in a way that reading again from where ClickHouse is can cure: the cursor was killed
    /// (idle longer than the server's cursor timeout while a long ClickHouse retry held the reader back, or by an operator), the
    /// connection broke or timed out (its getMore may also meet the pool the driver paused when another connection to that server
    /// broke), the primary stepped down.
    /// </summary>
    public static bool IsLostCursor(Exception ex) => ex switch
    {
        MongoCursorNotFoundException => true,
        MongoCommandException command => command.Code is 43 or 175 or 237 or 11600 or 11602 or 91 or 189 or 10107 or 13435 or 13436,
        MongoConnectionException or MongoConnectionPoolPausedException or MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Why a lost cursor was lost, in a few words.</summary>
    public static string LostBecause(Exception ex) => ex switch
    {
        MongoCursorNotFoundException => "the server no longer had the cursor (it times out idle cursors, 10 min by default)",
        MongoCommandException command => $"the server ended it with error {command.Code} ({command.CodeName})",
        MongoConnectionException when ex.GetBaseException() is TimeoutException or IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.TimedOut } } =>
            "the server did not answer within the socket timeout",
        _ => "the connection broke",
    };

    public static Described Describe(Exception ex, SourceSpec spec, ClusterDescription? cluster, TimeSpan serverSelectionTimeout)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(spec);
        var connection = ConnectionString.Parse(spec.Uri);
        var hosts = connection.IsMongoDb && connection.Hosts.Count > 0 ? connection.HostList : "(invalid URI)";
        var user = connection.UserName;
        var line = ex switch
        {
            SyncConfigurationException or ArgumentException => ex.Message,
            MongoAuthenticationException => $"MongoDB at {hosts}: authentication failed for user '{user}'",
            MongoCommandException { Code: NamespaceNotFound } => $"collection {spec.Database}.{spec.Collection} does not exist",
            MongoCommandException { Code: 13 or 8000 } => user is null
                ? $"MongoDB at {hosts}: not authorized to read {spec.Database}.{spec.Collection} (no user in the URI)"
                : $"MongoDB at {hosts}: user '{user}' is not authorized to read {spec.Database}.{spec.Collection}",
            MongoCommandException { Code: 18 } => $"MongoDB at {hosts}: authentication failed for user '{user}'",
            MongoCommandException command => $"MongoDB at {hosts} answered error {command.Code} ({command.CodeName}): {Failures.FirstLine(command.ErrorMessage ?? command.Message, 160)}",
            TimeoutException or MongoConnectionException => Unreachable(ex, spec.Uri, hosts, user, cluster, serverSelectionTimeout),
            OperationCanceledException => $"MongoDB at {hosts} did not answer in time",
            _ => $"MongoDB at {hosts}: {ex.GetType().Name}: {Failures.FirstLine(ex.Message, 160)}",
        };
        var detail = ex is SyncConfigurationException or ArgumentException ? null : Failures.Detail(ex, spec.Uri);
        return new Described(Redaction.Redact(line, spec.Uri), detail);
    }

    /// <summary>
    /// No server could be used. The driver only says it timed out (with its whole cluster description); the servers' last
    /// heartbeat errors say why: the first host whose name does not resolve, refuses, fails TLS or fails authentication.
    /// </summary>
    private static string Unreachable(Exception ex, string uri, string hosts, string? user, ClusterDescription? cluster, TimeSpan timeout)
    {
        var heartbeats = cluster?.Servers.Where(s => s.HeartbeatException is not null).ToList() ?? [];
        Exception cause = heartbeats.FirstOrDefault()?.HeartbeatException ?? ex;
        var notFound = heartbeats.Where(s => Failures.HostNotFound(s.HeartbeatException!)).Select(s => HostOf(s.EndPoint)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var connection = ConnectionString.Parse(uri);
        if (notFound.Count > 0 || Failures.HostNotFound(ex))
        {
            // In the URI's order: the driver's description has its own.
            var names = notFound.Count > 0 ? string.Join(", ", connection.Hosts.Select(h => h.Host).Where(notFound.Contains).Distinct()) : hosts;
            return notFound.Count > 1 ? $"MongoDB hosts {names} not found (DNS lookup failed)" : $"MongoDB host {names} not found (DNS lookup failed)";
        }

        if (Failures.Refused(cause))
        {
            return $"MongoDB at {hosts} refused the connection";
        }

        if (Failures.Tls(cause) is { } tls)
        {
            return $"MongoDB at {hosts}: TLS handshake failed ({Failures.TlsReason(tls)})";
        }

        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (e is MongoAuthenticationException)
            {
                return $"MongoDB at {hosts}: authentication failed for user '{user}'";
            }
        }

        return ex is TimeoutException
            ? $"MongoDB at {hosts} did not answer within {Failures.Seconds(timeout)}"
            : $"MongoDB at {hosts}: the connection failed: {Failures.FirstLine(ex.GetBaseException().Message, 120)}";
    }

    private static string HostOf(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => dns.Host,
        System.Net.IPEndPoint ip => ip.Address.ToString(),
        _ => endPoint.ToString() ?? "?",
    };
}
