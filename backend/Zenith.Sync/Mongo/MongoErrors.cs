using MongoDB.Driver;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Mongo;

/// <summary>What MongoDB's errors mean to a person: which host, which user, what the server said (never passwords).</summary>
internal static class MongoErrors
{
    /// <summary>The database or collection does not exist.</summary>
    public const int NamespaceNotFound = 26;

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
            _ => $"MongoDB at {hosts}: {ex.GetType().Name}: {ex.Message}",
        };
        return Redaction.Redact(message, spec.Uri);
    }
}
