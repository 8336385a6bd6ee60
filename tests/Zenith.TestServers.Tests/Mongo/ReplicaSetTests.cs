using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>The server answers hello as the primary of a one-node replica set, so drivers discover it as one (SDAM).</summary>
[Collection(MongoServerCollection.Name)]
public sealed class ReplicaSetTests(MongoFixture fixture)
{
    [Fact]
    public async Task Hello_describes_a_writable_primary_of_a_replica_set()
    {
        var hello = await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));

        Assert.True(hello["isWritablePrimary"].AsBoolean);
        Assert.False(hello["secondary"].AsBoolean);
        var setName = hello["setName"].AsString;
        Assert.NotEmpty(setName);
        var me = hello["me"].AsString;
        Assert.Equal(me, hello["primary"].AsString);
        Assert.Contains(me, hello["hosts"].AsBsonArray.Select(h => h.AsString));
        Assert.Equal(BsonType.ObjectId, hello["electionId"].BsonType);
        Assert.Equal(BsonType.ObjectId, hello["topologyVersion"]["processId"].BsonType);
        Assert.Equal(BsonType.Int64, hello["topologyVersion"]["counter"].BsonType);
        Assert.True(hello["logicalSessionTimeoutMinutes"].ToInt32() > 0);
        Assert.Equal(BsonType.Timestamp, hello["$clusterTime"]["clusterTime"].BsonType);
        Assert.Equal(BsonType.Timestamp, hello["operationTime"].BsonType);
    }

    [Fact]
    public async Task The_driver_discovers_the_replica_set_with_and_without_its_name_in_the_uri()
    {
        var setName = (await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1)))["setName"].AsString;
        var named = MongoUrl.Create(fixture.ConnectionString);
        var builder = new MongoUrlBuilder(fixture.ConnectionString) { ReplicaSetName = setName };

        foreach (var url in new[] { named, builder.ToMongoUrl() })
        {
            using var client = new MongoClient(url);
            var c = client.GetDatabase(fixture.NewDatabaseName()).GetCollection<BsonDocument>("c");
            await c.InsertOneAsync(new BsonDocument("_id", 1));

            Assert.Equal(1, await c.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
            Assert.Equal(ClusterType.ReplicaSet, client.Cluster.Description.Type);
        }
    }

    [Fact]
    public async Task A_wrong_replica_set_name_finds_no_server()
    {
        var builder = new MongoUrlBuilder(fixture.ConnectionString) { ReplicaSetName = "zenith-no-such-set", ServerSelectionTimeout = TimeSpan.FromSeconds(1) };
        using var client = new MongoClient(builder.ToMongoUrl());

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1)));
    }
}
