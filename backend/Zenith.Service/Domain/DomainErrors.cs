using Zenith.Core.Connections;

namespace Zenith.Service.Domain;

/// <summary>
/// Raised when an edit sends a masked secret (<c>***</c>) for a server, user, authentication, TLS or proxy options other than the
/// stored ones: the stored secret is not sent elsewhere (<see cref="ConnectionString.ReuseStoredPassword"/>), so it must be typed
/// again. Also when there is no stored secret to reuse because it cannot be decrypted.
/// </summary>
/// <param name="end"><c>source</c> or <c>destination</c>.</param>
/// <param name="unreadable">The stored secrets could not be decrypted.</param>
public sealed class PasswordRequiredException(string end, bool unreadable = false)
    : Exception(unreadable ? CredentialsUnreadableException.Advice : ChangedEndpoint)
{
    public const string ChangedEndpoint =
        "The password is masked (***) but the server, user, authentication, TLS or proxy options changed: type the password again (a saved password is only reused for the same server and user).";

    public string End { get; } = end;
}

/// <summary>
/// Raised when a connector's stored secrets cannot be decrypted: the database was copied or restored without the key ring
/// (<c>keys/</c> beside it), or the keys were replaced. The connector keeps its definition; its passwords must be entered again.
/// </summary>
public sealed class CredentialsUnreadableException(string name)
    : Exception($"Connector {name}: {Advice}")
{
    public const string Advice =
        "credentials unreadable — enter the password again. The saved passwords cannot be decrypted (was the database copied without the keys/ directory beside it?).";

    /// <summary><see cref="Advice"/> as a sentence of its own.</summary>
    public const string Sentence =
        "Credentials unreadable — enter the password again. The saved passwords cannot be decrypted (was the database copied without the keys/ directory beside it?).";
}

/// <summary>Raised when a connector name is already taken (names are unique, case-insensitively).</summary>
public sealed class DuplicateConnectorNameException(string name)
    : Exception($"A connector named \"{name}\" already exists.");

/// <summary>Raised when another connector already writes the destination table (the same server, database and table).</summary>
public sealed class DestinationTakenException(string otherConnector, string database, string table)
    : Exception($"Connector \"{otherConnector}\" already writes {database}.{table} on this ClickHouse server: two connectors on one table would overwrite each other's rows, and a full sync of one would replace the other's table. Choose another table.");
