using MongoDB.Driver;
using Xunit;

namespace Zenith.TestServers.Mongo;

/// <summary>
/// A MongoDB for tests: the server named by <c>ZENITH_TEST_MONGO_URI</c> when set (a real mongod,
/// e.g. from docker-compose), else an in-process <see cref="MongoTestServer"/>.
/// </summary>
public sealed class MongoFixture : IAsyncLifetime
{
    public const string UriVariable = "ZENITH_TEST_MONGO_URI";

    private MongoTestServer? _server;
    private MongoClient? _client;
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _databases = [];

    public string ConnectionString { get; private set; } = "";

    /// <summary>True when the tests run against a real server given by <see cref="UriVariable"/>.</summary>
    public bool IsExternal { get; private set; }

    public IMongoClient Client => _client ?? throw new InvalidOperationException("The fixture is not initialized.");

    public Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(UriVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            IsExternal = true;
        }
        else
        {
            _server = MongoTestServer.Start();
            ConnectionString = _server.ConnectionString;
        }
        _client = new MongoClient(ConnectionString);
        return Task.CompletedTask;
    }

    /// <summary>A database name no other test uses (MongoDB allows at most 63 characters); dropped when the fixture is disposed.</summary>
    public string NewDatabaseName(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        _databases.Add(name);
        return name;
    }

    public async Task DisposeAsync()
    {
        if (_client is not null && IsExternal)
        {
            // A real server outlives the tests: leave it as it was found.
            foreach (var name in _databases)
            {
                await _client.DropDatabaseAsync(name);
            }
        }
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
