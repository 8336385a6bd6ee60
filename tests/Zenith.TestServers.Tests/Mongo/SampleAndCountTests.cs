using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary><c>$sample</c>, <c>count</c> and the driver's count helpers, as MongoDB documents them.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class SampleAndCountTests(MongoFixture fixture)
{
    private static readonly FilterDefinitionBuilder<BsonDocument> F = Builders<BsonDocument>.Filter;

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(int n)
    {
        var collection = fixture.Client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
        await collection.InsertManyAsync(Enumerable.Range(0, n).Select(i => new BsonDocument { { "_id", i }, { "even", i % 2 == 0 } }));
        return collection;
    }

    private static Task<List<BsonDocument>> SampleAsync(IMongoCollection<BsonDocument> c, int size, FilterDefinition<BsonDocument>? match = null)
    {
        var pipeline = c.Aggregate();
        return (match is null ? pipeline : pipeline.Match(match)).Sample(size).ToListAsync();
    }

    [Fact]
    public async Task Sample_returns_distinct_documents_of_the_collection_chosen_at_random()
    {
        var c = await SeedAsync(100);

        var samples = new List<List<int>>();
        for (var i = 0; i < 20; i++)
        {
            samples.Add([.. (await SampleAsync(c, 5)).Select(d => d["_id"].AsInt32)]);
        }
        var everything = (await SampleAsync(c, 500)).Select(d => d["_id"].AsInt32).ToList();

        Assert.All(samples, s => Assert.Equal(5, s.Distinct().Count()));
        Assert.All(samples, s => Assert.All(s, id => Assert.InRange(id, 0, 99)));
        // Twenty random draws of five from a hundred are not the same few (nor the oldest) documents.
        Assert.True(samples.SelectMany(s => s).Distinct().Count() > 30);
        Assert.Equal(Enumerable.Range(0, 100), everything.Order());
    }

    [Fact]
    public async Task Sample_after_a_match_samples_only_the_matches()
    {
        var c = await SeedAsync(60);

        var sample = await SampleAsync(c, 10, F.Eq("even", true));

        Assert.Equal(10, sample.Select(d => d["_id"].AsInt32).Distinct().Count());
        Assert.All(sample, d => Assert.True(d["even"].AsBoolean));
    }

    [Fact]
    public async Task Sample_checks_its_size_as_mongod_does()
    {
        var c = await SeedAsync(3);

        var negative = await Assert.ThrowsAsync<MongoCommandException>(() => c.Aggregate<BsonDocument>(PipelineDefinition<BsonDocument, BsonDocument>.Create(BsonDocument.Parse("{$sample: {size: -1}}"))).ToListAsync());
        var missing = await Assert.ThrowsAsync<MongoCommandException>(() => c.Aggregate<BsonDocument>(PipelineDefinition<BsonDocument, BsonDocument>.Create(BsonDocument.Parse("{$sample: {}}"))).ToListAsync());

        Assert.Equal(28747, negative.Code);
        Assert.Equal(28749, missing.Code);
    }

    [Fact]
    public async Task Counts_follow_the_collection_through_inserts_and_deletes()
    {
        var c = await SeedAsync(40);
        await c.DeleteManyAsync(F.Lt("_id", 10));

        var estimated = await c.EstimatedDocumentCountAsync();
        var counted = await c.CountDocumentsAsync(F.Eq("even", true));
        var windowed = await c.CountDocumentsAsync(F.Empty, new CountOptions { Skip = 5, Limit = 10 });
        var missing = await c.Database.GetCollection<BsonDocument>("none").EstimatedDocumentCountAsync();

        Assert.Equal(30, estimated);
        Assert.Equal(15, counted);
        Assert.Equal(10, windowed);
        Assert.Equal(0, missing);
    }

    [Fact]
    public async Task EstimatedDocumentCount_sends_a_count_command_without_a_filter()
    {
        var commands = new List<BsonDocument>();
        var settings = MongoClientSettings.FromConnectionString(fixture.ConnectionString);
        settings.ClusterConfigurator = builder => builder.Subscribe<CommandStartedEvent>(e =>
        {
            if (e.CommandName == "count")
            {
                lock (commands)
                {
                    commands.Add(e.Command.DeepClone().AsBsonDocument);
                }
            }
        });
        using var client = new MongoClient(settings);
        var name = fixture.NewDatabaseName();
        var c = client.GetDatabase(name).GetCollection<BsonDocument>("c");
        await c.InsertManyAsync(Enumerable.Range(0, 7).Select(i => new BsonDocument("_id", i)));

        var n = await c.EstimatedDocumentCountAsync();

        Assert.Equal(7, n);
        var count = Assert.Single(commands);
        Assert.False(count.Contains("query"));
    }
}
