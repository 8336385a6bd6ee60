using System.Globalization;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Xunit;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// One ClickHouse for a test assembly: the server named by <c>ZENITH_TEST_CLICKHOUSE_URL</c> (e.g.
/// <c>http://default:secret@localhost:8123</c>) when set, else a <see cref="ClickHouseTestServer"/>.
/// Share it through a collection fixture declared in each test assembly:
/// <code>
/// [CollectionDefinition(ClickHouseFixture.CollectionName)]
/// public sealed class ClickHouseCollection : ICollectionFixture&lt;ClickHouseFixture&gt;;
/// </code>
/// and mark test classes <c>[Collection(ClickHouseFixture.CollectionName)]</c>. Tests create their own
/// database (<see cref="CreateDatabaseAsync"/>) and drop it when done.
/// </summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    public const string CollectionName = "ClickHouse";
    public const string UrlVariable = "ZENITH_TEST_CLICKHOUSE_URL";

    private ClickHouseTestServer? server;
    private ClickHouseClient? client;

    /// <summary>The ClickHouse HTTP interface (may carry credentials when taken from the environment).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>A ClickHouse.Driver connection string for <see cref="Url"/>.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>
    /// A client shared by the tests (ClickHouseClient is thread-safe). Once the test server has died, this throws with
    /// the reason and the server's output, so the tests after it fail saying why.
    /// </summary>
    public ClickHouseClient Client
    {
        get
        {
            server?.ThrowIfDied();
            return client ?? throw new InvalidOperationException("The fixture is not initialized.");
        }
    }

    /// <summary>The started test server, or null when a real server was given through the environment.</summary>
    public ClickHouseTestServer? Server => server;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            server = await ClickHouseTestServer.StartAsync();
            Url = server.Url;
            ConnectionString = server.ConnectionString;
        }
        else
        {
            Url = url.Trim();
            ConnectionString = ClickHouseConnectionStrings.FromUrl(Url);
        }
        client = new ClickHouseClient(ConnectionString);
    }

    /// <summary>Stops the test server; throws (a failure of the test collection) if it died while in use.</summary>
    public async Task DisposeAsync()
    {
        client?.Dispose();
        if (server is not null)
            await server.DisposeAsync();
    }

    /// <summary>A database name no other test uses, e.g. <c>t_3f2a…</c>.</summary>
    public static string NewDatabaseName(string prefix = "t") =>
        $"{prefix}_{Guid.NewGuid():N}";

    /// <summary>Creates a fresh database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t", CancellationToken ct = default)
    {
        var name = NewDatabaseName(prefix);
        await ExecuteAsync($"CREATE DATABASE `{name}`", ct: ct);
        return name;
    }

    public Task DropDatabaseAsync(string name, CancellationToken ct = default) =>
        ExecuteAsync($"DROP DATABASE IF EXISTS `{name.Replace("`", "``", StringComparison.Ordinal)}`", ct: ct);

    /// <summary>A connection string whose default database is <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new ClickHouseConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    public Task ExecuteAsync(string sql, object? parameters = null, CancellationToken ct = default) =>
        Client.ExecuteNonQueryAsync(sql, ToParameters(parameters), cancellationToken: ct);

    /// <summary>The first column of the first row, converted to <typeparamref name="T"/>.</summary>
    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null, CancellationToken ct = default)
    {
        var value = await Client.ExecuteScalarAsync(sql, ToParameters(parameters), cancellationToken: ct);
        return value is T typed ? typed : (T)Convert.ChangeType(value!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>All rows, each as its column values (DBNull becomes null).</summary>
    public async Task<IReadOnlyList<object?[]>> QueryAsync(string sql, object? parameters = null, CancellationToken ct = default)
    {
        using var reader = await Client.ExecuteReaderAsync(sql, ToParameters(parameters), cancellationToken: ct);
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    // Parameters as an anonymous object: new { id = 1, name = "x" } binds {id:…} and {name:…}.
    private static ClickHouseParameterCollection? ToParameters(object? parameters)
    {
        if (parameters is null)
            return null;
        var collection = new ClickHouseParameterCollection();
        foreach (var property in parameters.GetType().GetProperties())
            collection.AddParameter(property.Name, property.GetValue(parameters));
        return collection;
    }
}
