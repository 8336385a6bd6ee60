namespace Zenith.TestServers.Mongo.Commands;

/// <summary>One client connection as commands see it: its id, and the application name its handshake gave (fail points can target it).</summary>
internal sealed class ConnectionContext(int id)
{
    public int Id { get; } = id;

    public string? AppName { get; set; }
}
