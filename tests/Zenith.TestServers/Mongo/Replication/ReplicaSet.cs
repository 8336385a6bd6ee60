using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Replication;

/// <summary>
/// The one-node replica set this server presents: its name, its one member (the primary, itself),
/// the election id and topology version SDAM reads, and the cluster time every reply gossips.
/// </summary>
internal sealed class ReplicaSet(string name, string host, ClusterClock clock)
{
    // mongod's first election id in term 1.
    private static readonly ObjectId ElectionId = ObjectId.Parse("7fffffff0000000000000001");

    public string Name { get; } = name;

    public string Host { get; } = host;

    /// <summary>Changes only when the server restarts; drivers compare it across hello replies.</summary>
    public ObjectId ProcessId { get; } = ObjectId.GenerateNewId();

    public BsonDocument TopologyVersion => new() { { "processId", ProcessId }, { "counter", 0L } };

    /// <summary>The hello fields of a primary (SDAM's RSPrimary): set name, members, election id, last write.</summary>
    public BsonDocument HelloFields(long lastWriteWallMilliseconds)
    {
        var opTime = new BsonDocument { { "ts", clock.Latest }, { "t", 1L } };
        var lastWriteDate = new BsonDateTime(lastWriteWallMilliseconds);
        return new BsonDocument
        {
            { "topologyVersion", TopologyVersion },
            { "hosts", new BsonArray { Host } },
            { "setName", Name },
            { "setVersion", 1 },
            { "secondary", false },
            { "primary", Host },
            { "me", Host },
            { "electionId", ElectionId },
            {
                "lastWrite", new BsonDocument
                {
                    { "opTime", opTime },
                    { "lastWriteDate", lastWriteDate },
                    { "majorityOpTime", opTime.DeepClone() },
                    { "majorityWriteDate", lastWriteDate },
                }
            },
        };
    }

    /// <summary><c>$clusterTime</c> as an unauthenticated replica set member gossips it (a zero signature).</summary>
    public BsonDocument ClusterTimeDocument() => new()
    {
        { "clusterTime", clock.Latest },
        { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
    };
}
