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

    public static string Describe(Exception ex, DestinationSpec spec)
    {
        var connection = ConnectionString.Parse(spec.Uri);
        var host = connection.IsHttp && connection.Hosts.Count == 1 ? connection.HostList : "(invalid URI)";
        string message = ex switch
        {
            SyncConfigurationException => ex.Message,
            HttpRequestException when Failures.Refused(ex) => $"ClickHouse at {host} refused the connection",
            HttpRequestException => $"ClickHouse at {host} is unreachable: {ex.GetBaseException().Message}",
            OperationCanceledException or TimeoutException => $"ClickHouse at {host} did not answer in time",
            DbException db when !IsServerError(db) => $"the server at {host} answered, but not as ClickHouse does (its answer is not shown); is this ClickHouse's HTTP interface (usually port 8123)?",
            DbException db when db.ErrorCode is 516 or 192 or 193 => $"ClickHouse at {host}: authentication failed for user '{connection.UserName ?? "default"}'",
            DbException db => $"ClickHouse at {host} answered error {db.ErrorCode}: {Failures.FirstLine(db.Message)}",
            // A reply ClickHouse.Driver could not read (a body of another service): its text may quote that body, so only its kind is told.
            _ => $"the server at {host} answered, but not as ClickHouse does ({ex.GetType().Name}; its answer is not shown); is this ClickHouse's HTTP interface (usually port 8123)?",
        };
        return Redaction.Redact(message, spec.Uri);
    }
}
