using Zenith.Core.Connections;

namespace Zenith.Service.Domain;

/// <summary>
/// Raised when an edit sends a masked password (<c>***</c>) for a server, user or authentication options other than the stored
/// ones: the stored password is not sent elsewhere (<see cref="ConnectionString.ReuseStoredPassword"/>), so it must be typed again.
/// </summary>
/// <param name="end"><c>source</c> or <c>destination</c>.</param>
public sealed class PasswordRequiredException(string end)
    : Exception("The password is masked (***) but the server, user or authentication options changed: type the password again (a saved password is only reused for the same server and user).")
{
    public string End { get; } = end;
}

/// <summary>Raised when a connector name is already taken (names are unique, case-insensitively).</summary>
public sealed class DuplicateConnectorNameException(string name)
    : Exception($"A connector named \"{name}\" already exists.");

/// <summary>Raised when another connector already writes the destination table (the same server, database and table).</summary>
public sealed class DestinationTakenException(string otherConnector, string database, string table)
    : Exception($"Connector \"{otherConnector}\" already writes {database}.{table} on this ClickHouse server: two connectors on one table would overwrite each other's rows, and a full sync of one would replace the other's table. Choose another table.");
