using MongoDB.Driver;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Mongo;

/// <summary>What MongoDB's errors mean to a person: which host, which user, what the server said (never passwords).</summary>
internal static class MongoErrors
{
    /// <summary>The database or collection does not exist.</summary>
    public const int NamespaceNotFound = 26;

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

    public static string Describe(Exception ex, SourceSpec spec)
    {
        var connection = ConnectionString.Parse(spec.Uri);
        var hosts = connection.IsMongoDb && connection.Hosts.Count > 0 ? connection.HostList : "(invalid URI)";
        string message = ex switch
        {
            MongoAuthenticationException => $"MongoDB at {hosts}: authentication failed for user '{connection.UserName}'",
            TimeoutException or MongoConnectionException when Failures.Refused(ex) => $"MongoDB at {hosts} refused the connection",
            TimeoutException or MongoConnectionException => $"MongoDB at {hosts} is unreachable: {ex.GetBaseException().Message}",
            MongoCommandException command when command.Code == NamespaceNotFound => $"collection {spec.Database}.{spec.Collection} does not exist",
            MongoCommandException command => $"MongoDB at {hosts} answered error {command.Code} ({command.CodeName}): {command.ErrorMessage}",
            SyncConfigurationException or ArgumentException => ex.Message,
            OperationCanceledException => $"MongoDB at {hosts} did not answer in time",
            _ => $"MongoDB at {hosts}: {ex.GetType().Name}: {ex.Message}",
        };
        return Redaction.Redact(message, spec.Uri);
    }
}
