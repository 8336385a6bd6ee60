using System.Data.Common;
using System.Net.Sockets;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Sync.ClickHouse;

/// <summary>What ClickHouse's errors mean: which are worth another try, and what to tell a person (never row contents or passwords).</summary>
internal static partial class ClickHouseErrors
{
    /// <summary>ClickHouse error codes that mean "try again later".</summary>
    public static readonly IReadOnlySet<int> TransientCodes = new HashSet<int>
    {
        159, // TIMEOUT_EXCEEDED
        164, // READONLY (replica temporarily read-only)
        202, // TOO_MANY_SIMULTANEOUS_QUERIES
        209, // SOCKET_TIMEOUT
        210, // NETWORK_ERROR
        241, // MEMORY_LIMIT_EXCEEDED
        242, // TABLE_IS_READ_ONLY
        252, // TOO_MANY_PARTS
        425, // SYSTEM_ERROR
        999, // KEEPER_EXCEPTION
    };

    /// <summary>Network trouble, timeouts and the overload codes: what the retry policy may try again.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException:
                case SocketException:
                case TimeoutException:
                case IOException:
                    return true;
                case DbException db when TransientCodes.Contains(db.ErrorCode):
                    return true;
                default:
                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the error is ClickHouse's own (<c>Code: N. DB::Exception: …</c>), so its text may be shown. Any other body a server
    /// answered with (a proxy's page, another service's error) is not: the driver reports it the same way, with its text as the
    /// message and the first number in it as the code.
    /// </summary>
    public static bool IsServerError(DbException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return ServerError().IsMatch(exception.Message);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*Code: \d+\. DB::Exception: ", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ServerError();

    /// <summary>
    /// One short line per cause (a host name that does not resolve, refused, no answer in time, TLS, authentication, a missing
    /// database or table, a missing grant) and the driver's text as the detail. <paramref name="timeout"/> is what the caller
    /// waited, for the line of a call that timed out.
    /// </summary>
    public static Described Describe(Exception ex, DestinationSpec spec, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(spec);
        var connection = ConnectionString.Parse(spec.Uri);
        var host = connection.IsHttp && connection.Hosts.Count == 1 ? connection.HostList : "(invalid URI)";
        var user = connection.UserName ?? "default";
        var line = ex switch
        {
            SyncConfigurationException => ex.Message,
            // Zenith's own process, not the server: without this line the catch-all below blamed ClickHouse for it.
            OutOfMemoryException => $"Zenith ran out of memory while writing to ClickHouse at {host}; a smaller batch_size or processing.max_batch_bytes holds less",
            _ when Failures.HostNotFound(ex) => $"ClickHouse host {(connection.Hosts.Count == 1 ? connection.Hosts[0].Host : host)} not found (DNS lookup failed)",
            _ when Failures.Refused(ex) => $"ClickHouse at {host} refused the connection",
            _ when Failures.Tls(ex) is { } tls => $"ClickHouse at {host}: TLS handshake failed ({Failures.TlsReason(tls)})",
            HttpRequestException => $"ClickHouse at {host} is unreachable: {Failures.FirstLine(ex.GetBaseException().Message, 120)}",
            TaskCanceledException or OperationCanceledException or TimeoutException => $"ClickHouse at {host} did not answer within {Failures.Seconds(timeout)}",
            DbException db when !IsServerError(db) => $"the server at {host} answered, but not as ClickHouse does (its answer is not shown); is this ClickHouse's HTTP interface (usually port 8123)?",
            DbException db when db.ErrorCode is 516 or 192 or 193 => $"ClickHouse at {host}: authentication failed for user '{user}'",
            DbException { ErrorCode: 81 } => $"ClickHouse at {host}: database {spec.Database} does not exist",
            DbException { ErrorCode: 60 } => $"ClickHouse at {host}: table {spec.Database}.{spec.Table} does not exist",
            DbException db when db.ErrorCode == 497 => $"ClickHouse at {host}: user '{user}' {MissingGrant(db.Message)}",
            DbException db => $"ClickHouse at {host} answered error {db.ErrorCode}: {Failures.FirstLine(db.Message, 160)}",
            // A reply ClickHouse.Driver could not read (a body of another service): its text may quote that body, so only its kind is told.
            _ => $"the server at {host} answered, but not as ClickHouse does ({ex.GetType().Name}; its answer is not shown); is this ClickHouse's HTTP interface (usually port 8123)?",
        };
        // A stranger's answer is never repeated, not even as the detail: Zenith is no probe of other servers (issue 14).
        var stranger = ex is DbException db2 ? !IsServerError(db2) : ex is not (HttpRequestException or OperationCanceledException or TimeoutException or OutOfMemoryException);
        var detail = ex is SyncConfigurationException || stranger ? null : Failures.Detail(ex, spec.Uri);
        return new Described(Redaction.Redact(line, spec.Uri), detail);
    }

    /// <summary>ACCESS_DENIED names the grant a statement needs ("…necessary to have the grant CREATE TABLE ON db.t…").</summary>
    private static string MissingGrant(string message)
    {
        var match = GrantNeeded().Match(message);
        return match.Success ? $"lacks the grant {match.Groups["grant"].Value.TrimEnd('.')}" : "is not allowed to do this (ACCESS_DENIED)";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"necessary to have the grant (?<grant>.+?)(?:\. |\.?\s*\(ACCESS_DENIED\)|$)", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex GrantNeeded();
}
