using Dapper;
using Microsoft.Data.Sqlite;
using Zenith.Core.Connections;
using Zenith.Service.Domain;

namespace Zenith.Service.Metadata;

/// <summary>What a connector claims that no other may have: its name and its destination table.</summary>
internal static class ConnectorClaims
{
    /// <summary>
    /// Names are unique, and two connectors never write one table: on the same ClickHouse server (its hosts and ports), database
    /// and table, whatever the user. Runs in the caller's (immediate) transaction, so two processes adding one each cannot both pass.
    /// </summary>
    public static async Task EnsureFreeAsync(SqliteConnection connection, SqliteTransaction transaction, long? id, ConnectorDefinition definition, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM connectors WHERE name = @Name AND id != @id;", new { definition.Name, id = id ?? -1 }, transaction, cancellationToken: cancellationToken)) > 0)
        {
            throw new DuplicateConnectorNameException(definition.Name);
        }

        var others = await connection.QueryAsync<(long Id, string Name, string DestUri)>(new CommandDefinition(
            "SELECT id, name, dest_uri FROM connectors WHERE dest_database = @Database AND dest_table = @Table AND id != @id;",
            new { definition.Destination.Database, definition.Destination.Table, id = id ?? -1 }, transaction, cancellationToken: cancellationToken));
        var server = ConnectionString.Parse(definition.Destination.Uri).HostList;
        if (others.FirstOrDefault(o => string.Equals(ConnectionString.Parse(o.DestUri).HostList, server, StringComparison.OrdinalIgnoreCase)) is { Name: not null } taken)
        {
            throw new DestinationTakenException(taken.Name, definition.Destination.Database, definition.Destination.Table);
        }
    }
}
