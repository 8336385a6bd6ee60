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

    /// <summary>A database name no other test uses (MongoDB allows at most 64 characters).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the fixture API that tests reach through the instance.")]
    public string NewDatabaseName(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
