using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Zenith.Core.Buffers;
using Zenith.Core.Connections;
using Zenith.Core.Connectors;
using Zenith.Core.Cursors;

namespace Zenith.Sync.Mongo;

/// <summary>The MongoDB side of a run: the sorted, filtered cursor, samples, and connection checks.</summary>
internal sealed class MongoSource : IDisposable
{
    private readonly SourceSpec _spec;
    private readonly MongoClient _client;
    private readonly SyncEngineOptions _options;

    /// <param name="check">
    /// A connection test or a preview, which a person waits for: without <c>serverSelectionTimeoutMS</c> (and
    /// <c>connectTimeoutMS</c>) in the URI, the engine's short <see cref="SyncEngineOptions.CheckTimeout"/> applies, not
    /// <see cref="SyncEngineOptions.ConnectTimeout"/>. The URI's own values always win.
    /// </param>
    public MongoSource(SourceSpec spec, SyncEngineOptions options, bool check = false)
    {
        _spec = spec;
        _options = options;
        MongoUrl url;
        try
        {
            url = MongoUrl.Create(spec.Uri);
        }
        catch (MongoConfigurationException ex)
        {
            throw new SyncConfigurationException($"the MongoDB URI is not valid: {Redaction.Redact(ex.Message, spec.Uri)}");
        }

        var connection = ConnectionString.Parse(spec.Uri);
        if (options.AllowedHosts.FirstRefused(connection) is { } refused)
        {
            throw new SyncConfigurationException(options.AllowedHosts.Refusal(refused));
        }

        var fallback = check ? options.CheckTimeout : options.ConnectTimeout;
        var settings = MongoClientSettings.FromUrl(url);
        settings.ServerSelectionTimeout = connection.Options.ContainsKey("serverSelectionTimeoutMS") ? url.ServerSelectionTimeout : fallback;
        settings.ConnectTimeout = connection.Options.ContainsKey("connectTimeoutMS") ? url.ConnectTimeout : fallback;
        // The driver's default socket timeout is none: a half-open connection would hold the run (and its slot) for ever.
        settings.SocketTimeout = Shorter(url.SocketTimeout, options.QueryTimeout);
        ServerSelectionTimeout = settings.ServerSelectionTimeout;
        _client = new MongoClient(settings);
        Hosts = connection.HostList;
    }

    /// <summary>host:port list, never the credentials.</summary>
    public string Hosts { get; }

    /// <summary>How long an operation waits for a usable server (what a timeout's message quotes).</summary>
    public TimeSpan ServerSelectionTimeout { get; }

    /// <summary>What the driver knows of each server now, with its last heartbeat error: why none could be used.</summary>
    public ClusterDescription Cluster => _client.Cluster.Description;

    public IMongoCollection<BsonDocument> Collection => _client.GetDatabase(_spec.Database).GetCollection<BsonDocument>(_spec.Collection);

    public async Task<bool> CollectionExistsAsync(CancellationToken ct)
    {
        var names = await (await _client.GetDatabase(_spec.Database)
            .ListCollectionNamesAsync(new ListCollectionNamesOptions { Filter = new BsonDocument("name", _spec.Collection) }, ct)).ToListAsync(ct);
        return names.Count > 0;
    }

    /// <summary>The collection's indexes as <c>listIndexes</c> describes them; none when the collection does not exist yet.</summary>
    public async Task<IReadOnlyList<BsonDocument>> ListIndexesAsync(CancellationToken ct)
    {
        try
        {
            using var cursor = await Collection.Indexes.ListAsync(ct);
            return await cursor.ToListAsync(ct);
        }
        catch (MongoCommandException ex) when (ex.Code == MongoErrors.NamespaceNotFound)
        {
            return [];
        }
    }

    /// <summary>Why the collection is missing, in one line: the database has no collections at all, or not this one.</summary>
    public async Task<string> MissingCollectionAsync(CancellationToken ct)
    {
        using var any = await _client.GetDatabase(_spec.Database).ListCollectionNamesAsync(cancellationToken: ct);
        return await any.MoveNextAsync(ct) && any.Current.Any()
            ? $"collection {_spec.Database}.{_spec.Collection} does not exist (names are case-sensitive)"
            : $"database {_spec.Database} does not exist (it has no collections; names are case-sensitive)";
    }

    /// <summary>The collection's size from its metadata (MongoDB's estimatedDocumentCount): instant, approximate.</summary>
    public Task<long> EstimatedCountAsync(CancellationToken ct) => Collection.EstimatedDocumentCountAsync(cancellationToken: ct);

    public async Task PingAsync(CancellationToken ct) =>
        await _client.GetDatabase(_spec.Database).RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: ct);

    /// <summary>Opens the run's cursor: documents go into batches of <paramref name="serializer"/>.</summary>
    /// <param name="maxTime">The server's bound on the query (<c>maxTimeMS</c>, over the cursor's life).</param>
    public Task<IAsyncCursor<ArenaDocument>> OpenAsync(ConnectorSpec connector, Checkpoint? checkpoint, ArenaSerializer serializer, int? limit, TimeSpan maxTime, CancellationToken ct)
    {
        var projection = CursorRules.Projection(connector) ?? [];
        var options = new FindOptions<BsonDocument, ArenaDocument>
        {
            Sort = CursorRules.Sort(connector),
            Projection = new BsonDocumentProjectionDefinition<BsonDocument, ArenaDocument>(projection, serializer),
            BatchSize = Math.Max(connector.BatchSize, 10_000),
            Limit = limit,
            MaxTime = maxTime,
            NoCursorTimeout = false,
        };
        return Collection.FindAsync(new BsonDocumentFilterDefinition<BsonDocument>(CursorRules.Filter(connector, checkpoint)), options, ct);
    }

    /// <summary>
    /// A random sample of up to <paramref name="count"/> documents (with the connector's filter and projection) as one batch, and no
    /// more than the sample's bytes (large documents give a smaller sample rather than a large memory): <c>$sample</c>, so a table
    /// is not made from the oldest documents only. MongoDB answers it from a random cursor when the sample is small next to an
    /// unfiltered collection, else with one scan of the matching documents; the query is bounded by the query timeout.
    /// </summary>
    /// <param name="pool">Where its buffer comes from: a run passes its own pool, so a sample of large documents (up to 64 MiB, grown
    /// through every power of two to it) is let go with the run rather than kept by <c>ArrayPool.Shared</c> for the process's life.</param>
    public async Task<RawDocumentBuffer?> SampleAsync(ConnectorSpec connector, int count, CancellationToken ct, System.Buffers.ArrayPool<byte>? pool = null)
    {
        var serializer = new ArenaSerializer(
            Math.Max(1, count), _options.SampleBytes, _options.MaxDocumentBytes, ArenaSerializer.InitialBytes(count, 512), pool ?? System.Buffers.ArrayPool<byte>.Shared);
        var full = connector with { Mode = SyncMode.Full };
        var filter = CursorRules.Filter(full, null);
        var stages = new List<BsonDocument>();
        if (filter.ElementCount > 0)
        {
            stages.Add(new BsonDocument("$match", filter));
        }

        stages.Add(new BsonDocument("$sample", new BsonDocument("size", Math.Max(1, count))));
        if (CursorRules.Projection(full) is { ElementCount: > 0 } projection)
        {
            stages.Add(new BsonDocument("$project", projection));
        }

        var pipeline = PipelineDefinition<BsonDocument, ArenaDocument>.Create(stages, serializer);
        try
        {
            var options = new AggregateOptions { BatchSize = Math.Clamp(count, 1, 10_000), MaxTime = _options.QueryTimeout };
            using var cursor = await Collection.AggregateAsync(pipeline, options, ct);
            while (await cursor.MoveNextAsync(ct))
            {
                // Documents land in the serializer's batch; the first full one is the sample.
                if (serializer.TryTakeReady(out var ready))
                {
                    serializer.Discard();
                    return ready;
                }
            }

            return serializer.TakePartial();
        }
        catch
        {
            serializer.Discard();
            throw;
        }
    }

    /// <summary>What the failure means, in one line, with the driver's text as the detail.</summary>
    public Described Describe(Exception ex) => MongoErrors.Describe(ex, _spec, Cluster, ServerSelectionTimeout);

    public void Dispose() => _client.Dispose();

    /// <summary>The shorter of two timeouts, where zero or less (the driver's "none") is the longer one.</summary>
    private static TimeSpan Shorter(TimeSpan fromUri, TimeSpan ours) => fromUri > TimeSpan.Zero && fromUri < ours ? fromUri : ours;
}
