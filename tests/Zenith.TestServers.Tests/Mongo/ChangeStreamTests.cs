using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;
using static Zenith.TestServers.Tests.Mongo.ChangeStreamReader;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>Change streams as MongoDB's change streams specification and change-event reference describe them.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class ChangeStreamTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;
    private static readonly UpdateDefinitionBuilder<BsonDocument> U = Builders<BsonDocument>.Update;

    private IMongoDatabase NewDatabase() => fixture.Client.GetDatabase(fixture.NewDatabaseName());

    [Fact]
    public async Task A_collection_stream_sees_inserts_updates_replaces_and_deletes_in_order()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 0));
        using var stream = await c.WatchAsync();

        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "a", 1 }, { "tags", new BsonArray { "x" } } });
        await c.UpdateOneAsync(F.Eq("_id", 1), U.Set("a", 2).Unset("b").Push("tags", "y").Set("meta.at", 5));
        await c.ReplaceOneAsync(F.Eq("_id", 1), new BsonDocument("z", 9));
        await c.DeleteOneAsync(F.Eq("_id", 1));
        var events = await NextAsync(stream, 4);

        Assert.Equal([ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Replace, ChangeStreamOperationType.Delete],
            events.Select(e => e.OperationType));
        Assert.All(events, e => Assert.Equal(new BsonDocument("_id", 1), e.DocumentKey));
        Assert.All(events, e => Assert.Equal(c.CollectionNamespace, e.CollectionNamespace));
        Assert.All(events, e => Assert.NotNull(e.WallTime));
        Assert.Equal(BsonDocument.Parse("{_id: 1, a: 1, tags: ['x']}"), events[0].FullDocument);
        // A created path shows as its top-most new field; a push as the new array index. Field order is not significant.
        Assert.Equal(BsonDocument.Parse("{a: 2, meta: {at: 5}, 'tags.1': 'y'}"), new BsonDocument(events[1].UpdateDescription.UpdatedFields.OrderBy(e => e.Name, StringComparer.Ordinal)));
        Assert.Empty(events[1].UpdateDescription.RemovedFields);
        Assert.Null(events[1].FullDocument);
        Assert.Equal(BsonDocument.Parse("{_id: 1, z: 9}"), events[2].FullDocument);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.ClusterTime < p.Second.ClusterTime));
    }

    [Fact]
    public async Task UpdateLookup_returns_the_current_document_and_null_once_it_is_gone()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } });
        var options = new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup };
        using var stream = await c.WatchAsync(options);

        await c.UpdateOneAsync(F.Eq("_id", 1), U.Inc("n", 1));
        var updated = await OneAsync(stream);
        await c.UpdateOneAsync(F.Eq("_id", 1), U.Inc("n", 1));
        await c.DeleteOneAsync(F.Eq("_id", 1));
        var afterDelete = await NextAsync(stream, 2);

        Assert.Equal(BsonDocument.Parse("{_id: 1, n: 1}"), updated.FullDocument);
        // Looked up when read: the document was deleted since, so there is nothing to look up.
        Assert.Null(afterDelete[0].FullDocument);
        Assert.Equal(ChangeStreamOperationType.Delete, afterDelete[1].OperationType);
    }

    [Fact]
    public async Task Pre_and_post_images_follow_the_collection_option()
    {
        var db = NewDatabase();
        await db.CreateCollectionAsync("withImages", new CreateCollectionOptions { ChangeStreamPreAndPostImagesOptions = new ChangeStreamPreAndPostImagesOptions { Enabled = true } });
        await db.CreateCollectionAsync("without");
        var withImages = db.GetCollection<BsonDocument>("withImages");
        var without = db.GetCollection<BsonDocument>("without");
        await withImages.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "before" } });
        await without.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "before" } });
        var whenAvailable = new ChangeStreamOptions
        {
            FullDocument = ChangeStreamFullDocumentOption.WhenAvailable,
            FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.WhenAvailable,
        };
        var required = new ChangeStreamOptions { FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.Required };
        using var images = await withImages.WatchAsync(whenAvailable);
        using var noImages = await without.WatchAsync(whenAvailable);
        using var mustHave = await without.WatchAsync(required);

        await withImages.UpdateOneAsync(F.Eq("_id", 1), U.Set("v", "after"));
        await without.UpdateOneAsync(F.Eq("_id", 1), U.Set("v", "after"));
        var recorded = await OneAsync(images);
        var notRecorded = await OneAsync(noImages);
        var missing = await Assert.ThrowsAsync<MongoCommandException>(() => NextAsync(mustHave, 1));

        Assert.Equal(BsonDocument.Parse("{_id: 1, v: 'before'}"), recorded.FullDocumentBeforeChange);
        Assert.Equal(BsonDocument.Parse("{_id: 1, v: 'after'}"), recorded.FullDocument);
        Assert.Null(notRecorded.FullDocumentBeforeChange);
        Assert.Null(notRecorded.FullDocument);
        Assert.Equal("NoMatchingDocument", missing.CodeName);
    }

    [Fact]
    public async Task Database_and_cluster_streams_see_every_collection()
    {
        var first = NewDatabase();
        var second = NewDatabase();
        using var dbStream = await first.WatchAsync();
        using var clusterStream = await fixture.Client.WatchAsync(ChangeStreamReader.Stages(
            $"{{$match: {{'ns.db': {{$in: ['{first.DatabaseNamespace.DatabaseName}', '{second.DatabaseNamespace.DatabaseName}']}}}}}}"));

        await first.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument("_id", 1));
        await first.GetCollection<BsonDocument>("b").InsertOneAsync(new BsonDocument("_id", 2));
        await second.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument("_id", 3));
        var inFirst = await NextAsync(dbStream, 2);
        var everywhere = await NextAsync(clusterStream, 3);

        Assert.Equal(["a", "b"], inFirst.Select(e => e.CollectionNamespace.CollectionName));
        Assert.Equal([1, 2, 3], everywhere.Select(e => e["documentKey"]["_id"].AsInt32));
    }

    [Fact]
    public async Task Dropping_or_renaming_the_collection_invalidates_its_stream()
    {
        var db = NewDatabase();
        var dropped = db.GetCollection<BsonDocument>("dropped");
        var renamed = db.GetCollection<BsonDocument>("renamed");
        await dropped.InsertOneAsync(new BsonDocument("_id", 1));
        await renamed.InsertOneAsync(new BsonDocument("_id", 1));
        using var dropStream = await dropped.WatchAsync();
        using var renameStream = await renamed.WatchAsync();

        await db.DropCollectionAsync("dropped");
        await db.RenameCollectionAsync("renamed", "moved");
        var dropEvents = await NextAsync(dropStream, 2);
        var renameEvents = await NextAsync(renameStream, 2);

        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.Invalidate], dropEvents.Select(e => e.OperationType));
        Assert.Equal([ChangeStreamOperationType.Rename, ChangeStreamOperationType.Invalidate], renameEvents.Select(e => e.OperationType));
        Assert.Equal("moved", renameEvents[0].RenameTo.CollectionName);
        Assert.False(await dropStream.MoveNextAsync());
    }

    [Fact]
    public async Task Dropping_the_database_ends_a_database_stream_with_dropDatabase_and_invalidate()
    {
        var db = NewDatabase();
        await db.GetCollection<BsonDocument>("a").InsertOneAsync(new BsonDocument("_id", 1));
        using var stream = await db.WatchAsync();

        await fixture.Client.DropDatabaseAsync(db.DatabaseNamespace.DatabaseName);
        var events = await NextAsync(stream, 3);

        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.DropDatabase, ChangeStreamOperationType.Invalidate], events.Select(e => e.OperationType));
    }

    [Fact]
    public async Task A_stream_resumes_after_a_token_or_starts_at_an_operation_time()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        using var stream = await c.WatchAsync();
        await c.InsertManyAsync(Enumerable.Range(1, 5).Select(i => new BsonDocument("_id", i)));
        var all = await NextAsync(stream, 5);

        using var resumed = await c.WatchAsync(new ChangeStreamOptions { ResumeAfter = all[1].ResumeToken });
        using var started = await c.WatchAsync(new ChangeStreamOptions { StartAtOperationTime = all[3].ClusterTime });
        var afterToken = await NextAsync(resumed, 3);
        var fromTime = await NextAsync(started, 2);

        Assert.Equal([3, 4, 5], afterToken.Select(e => e.DocumentKey["_id"].AsInt32));
        Assert.Equal([4, 5], fromTime.Select(e => e.DocumentKey["_id"].AsInt32));
    }

    [Fact]
    public async Task After_an_invalidate_startAfter_opens_a_new_stream_and_resumeAfter_is_refused()
    {
        var db = NewDatabase();
        var c = db.GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        using var stream = await c.WatchAsync();
        await db.DropCollectionAsync("c");
        var invalidate = (await NextAsync(stream, 2))[1];

        var refused = await Assert.ThrowsAsync<MongoCommandException>(() => c.WatchAsync(new ChangeStreamOptions { ResumeAfter = invalidate.ResumeToken }));
        using var again = await c.WatchAsync(new ChangeStreamOptions { StartAfter = invalidate.ResumeToken });
        await c.InsertOneAsync(new BsonDocument("_id", 2));
        var next = await OneAsync(again);

        Assert.Equal(ChangeStreamOperationType.Invalidate, invalidate.OperationType);
        Assert.Equal(260, refused.Code);
        Assert.Equal(2, next.DocumentKey["_id"].AsInt32);
    }

    [Fact]
    public async Task A_transaction_s_events_share_its_cluster_time_lsid_and_txnNumber()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument("_id", 0));
        using var stream = await c.WatchAsync();
        using var session = await fixture.Client.StartSessionAsync();

        session.StartTransaction();
        await c.InsertOneAsync(session, new BsonDocument("_id", 1));
        await c.UpdateOneAsync(session, F.Eq("_id", 0), U.Set("x", 1));
        await c.DeleteOneAsync(session, F.Eq("_id", 1));
        await session.CommitTransactionAsync();
        var events = await NextAsync(stream, 3);

        Assert.Equal([ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Delete], events.Select(e => e.OperationType));
        Assert.Single(events.Select(e => e.ClusterTime).Distinct());
        Assert.All(events, e => Assert.Equal(session.ServerSession.Id["id"], e.BackingDocument["lsid"]["id"]));
        Assert.All(events, e => Assert.Equal(BsonType.Int64, e.BackingDocument["txnNumber"].BsonType));
        Assert.Equal(3, events.Select(e => e.ResumeToken.ToJson()).Distinct().Count());
    }

    [Fact]
    public async Task Stages_after_changeStream_shape_events_but_the_resume_token_must_stay()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } });
        using var projected = await c.WatchAsync(ChangeStreamReader.Stages("{$match: {operationType: 'update'}}", "{$project: {updateDescription: 0}}"));
        using var broken = await c.WatchAsync(ChangeStreamReader.Stages("{$project: {_id: 0}}"));

        await c.InsertOneAsync(new BsonDocument("_id", 2));
        await c.UpdateOneAsync(F.Eq("_id", 1), U.Inc("n", 1));
        var update = await OneAsync(projected);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => NextAsync(broken, 1));

        Assert.Equal("update", update["operationType"].AsString);
        Assert.False(update.Contains("updateDescription"));
        Assert.True(update.Contains("_id"));
        Assert.Equal(280, error.Code);
    }

    [Fact]
    public async Task The_postBatchResumeToken_moves_on_while_the_watched_collection_is_idle()
    {
        var db = NewDatabase();
        var watched = db.GetCollection<BsonDocument>("idle");
        var busy = db.GetCollection<BsonDocument>("busy");
        using var stream = await watched.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(50) });
        await stream.MoveNextAsync();
        var before = stream.GetResumeToken();

        await busy.InsertOneAsync(new BsonDocument("_id", 1));
        await stream.MoveNextAsync();
        var after = stream.GetResumeToken();
        await watched.InsertOneAsync(new BsonDocument("_id", 1));
        using var resumed = await watched.WatchAsync(new ChangeStreamOptions { ResumeAfter = after });
        var next = await OneAsync(resumed);

        Assert.Empty(stream.Current);
        Assert.NotEqual(before, after);
        Assert.Equal(1, next.DocumentKey["_id"].AsInt32);
    }

    [Fact]
    public async Task A_waiting_getMore_returns_the_event_written_while_it_waits()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        using var stream = await c.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromSeconds(20) });
        await stream.MoveNextAsync();

        var waiting = stream.MoveNextAsync();
        await c.InsertOneAsync(new BsonDocument("_id", 1));
        Assert.True(await waiting);

        Assert.Equal(1, Assert.Single(stream.Current).DocumentKey["_id"].AsInt32);
    }

    [Fact]
    public async Task An_event_over_16_MB_fails_unless_the_pipeline_projects_it_smaller()
    {
        var c = NewDatabase().GetCollection<BsonDocument>("c");
        var nineMegabytes = new string('a', 9 * 1024 * 1024);
        await c.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "blob", nineMegabytes } });
        var lookup = new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup };
        using var whole = await c.WatchAsync(lookup);
        using var projected = await c.WatchAsync(ChangeStreamReader.Stages("{$project: {updateDescription: 0}}"), lookup);

        await c.UpdateOneAsync(F.Eq("_id", 1), U.Set("blob", new string('b', 9 * 1024 * 1024)));
        var tooLarge = await Assert.ThrowsAsync<MongoCommandException>(() => NextAsync(whole, 1));
        var small = await OneAsync(projected);

        Assert.Equal(10334, tooLarge.Code);
        Assert.Equal('b', small["fullDocument"]["blob"].AsString[0]);
    }
}
