using MongoDB.Bson;
using MongoDB.Driver;

namespace Zenith.Sync.Mongo;

/// <summary>
/// The change stream of a connector's collection: where it starts, and the events after a resume token, projected to what Zenith
/// needs (no <c>updateDescription</c>: with the looked-up document an update near 16 MB would otherwise make its event exceed the
/// limit), with the full document looked up for updates.
/// </summary>
internal static class ChangeStreamSource
{
    /// <summary>The stream's position now (the post-batch resume token of a stream opened with no events yet).</summary>
    public static async Task<BsonDocument> StartPositionAsync(IMongoCollection<BsonDocument> collection, CancellationToken ct)
    {
        using var cursor = await collection.WatchAsync(Pipeline(withDocuments: false), new ChangeStreamOptions { BatchSize = 1, MaxAwaitTime = TimeSpan.FromMilliseconds(1) }, ct);
        return cursor.GetResumeToken()
            ?? throw new SyncConfigurationException("MongoDB gave no resume token for the collection's change stream; change streams need a replica set or a sharded cluster (MongoDB 4.2 or later)");
    }

    /// <param name="withDocuments">False leaves the full document out (to read an event whose document made it too large).</param>
    public static Task<IChangeStreamCursor<BsonDocument>> WatchAsync(
        IMongoCollection<BsonDocument> collection, BsonDocument startAfter, int batchSize, TimeSpan maxAwait, bool withDocuments, CancellationToken ct) =>
        collection.WatchAsync(
            Pipeline(withDocuments),
            new ChangeStreamOptions
            {
                StartAfter = startAfter,
                FullDocument = withDocuments ? ChangeStreamFullDocumentOption.UpdateLookup : ChangeStreamFullDocumentOption.Default,
                BatchSize = batchSize,
                MaxAwaitTime = maxAwait,
            },
            ct);

    private static PipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument> Pipeline(bool withDocuments)
    {
        var exclude = new BsonDocument { { "updateDescription", 0 }, { "fullDocumentBeforeChange", 0 } };
        if (!withDocuments)
        {
            exclude["fullDocument"] = 0;
        }

        return new BsonDocumentStagePipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>([new BsonDocument("$project", exclude)]);
    }
}
