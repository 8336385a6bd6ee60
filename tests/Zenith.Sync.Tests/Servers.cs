using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Core.Connectors;
using Zenith.TestServers.ClickHouse;
using Zenith.TestServers.Mongo;

namespace Zenith.Sync.Tests;

/// <summary>One MongoDB and one ClickHouse (test servers, or real ones from the environment) shared by every test.</summary>
public sealed class Servers : IAsyncLifetime
{
    public MongoFixture Mongo { get; } = new();

    public ClickHouseFixture ClickHouse { get; } = new();

    /// <summary>
    /// The type Zenith gives JSON parts on this server: <c>JSON</c> where it has the type and the settings to write it losslessly,
    /// else <c>Nullable(String)</c> (a real server given by the environment may be older than the test server).
    /// </summary>
    public string JsonType { get; private set; } = "JSON";

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Mongo.InitializeAsync(), ClickHouse.InitializeAsync());
        var row = (await ClickHouse.QueryAsync(Zenith.Core.Mapping.Ddl.SelectFeatures)).Single();
        var features = Zenith.Core.Mapping.ClickHouseFeatures.FromServer((string)row[0]!, Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture));
        JsonType = features.JsonType ? "JSON" : "Nullable(String)";
    }

    /// <summary>SQL reading a JSON part as JSON text whichever type it has (a String part holds the text, NULL when empty).</summary>
    public string JsonText(string expression) => JsonType == "JSON" ? $"toJSONString({expression})" : $"ifNull({expression}, '{{}}')";

    public async Task DisposeAsync()
    {
        await Mongo.DisposeAsync();
        await ClickHouse.DisposeAsync();
    }

    /// <summary>A connector on a fresh collection and a fresh ClickHouse database.</summary>
    public ConnectorSpec NewConnector(SyncMode mode, int batchSize = 1000, string cursorField = "updated_at", MappingOptions? mapping = null, string? filter = null)
    {
        var mongoDb = Mongo.NewDatabaseName("zs");
        var chDb = ClickHouseFixture.NewDatabaseName("zs");
        return new ConnectorSpec(
            Random.Shared.NextInt64(1, long.MaxValue),
            "test",
            new SourceSpec(Mongo.ConnectionString, mongoDb, "events", filter),
            new DestinationSpec(ClickHouse.Url, chDb, "events"),
            mode,
            cursorField,
            batchSize,
            mapping ?? MappingOptions.Default,
            TableOptions.Default);
    }

    public IMongoCollection<BsonDocument> Collection(ConnectorSpec connector) =>
        Mongo.Client.GetDatabase(connector.Source.Database).GetCollection<BsonDocument>(connector.Source.Collection);

    public async Task CleanUpAsync(ConnectorSpec connector)
    {
        await Mongo.Client.DropDatabaseAsync(connector.Source.Database);
        await ClickHouse.DropDatabaseAsync(connector.Destination.Database);
    }
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<Servers>
{
    public const string Name = "Servers";
}

public sealed class MemoryCheckpointStore : ICheckpointStore
{
    private readonly ConcurrentDictionary<long, Checkpoint> _saved = new();

    public int Saves { get; private set; }

    public ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_saved.TryGetValue(connectorId, out var c) ? c : null);

    public ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        _saved[connectorId] = checkpoint;
        Saves++;
        return ValueTask.CompletedTask;
    }
}

public sealed class RecordingObserver : ISyncObserver
{
    public ConcurrentQueue<(string Id, string Reason)> Failures { get; } = new();

    public ConcurrentQueue<string> Notes { get; } = new();

    public int Batches { get; private set; }

    /// <summary>Runs once, on the ordered stage, right after the first insert was acknowledged (to inject a fault there).</summary>
    public Action? OnFirstCommit { get; init; }

    public void BatchCommitted(SyncProgress batch, SyncProgress total)
    {
        if (Batches++ == 0)
        {
            OnFirstCommit?.Invoke();
        }
    }

    public void DocumentFailed(string documentId, string reason) => Failures.Enqueue((documentId, reason));

    public void Note(string message) => Notes.Enqueue(message);
}
