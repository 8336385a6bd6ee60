using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Zenith.TestServers.Mongo;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>What the drivers do not show: the legacy handshake, malformed input, many connections at once.</summary>
public sealed class WireProtocolTests : IAsyncLifetime
{
    // Our own server even when ZENITH_TEST_MONGO_URI is set: these tests are about this server's wire handling.
    private MongoTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = MongoTestServer.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private async Task<NetworkStream> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.Port);
        return client.GetStream();
    }

    private static byte[] OpQuery(int requestId, string collection, BsonDocument query)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(collection);
        var doc = query.ToBson();
        var message = new byte[16 + 4 + name.Length + 1 + 8 + doc.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), 2004);
        name.CopyTo(message, 20);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(20 + name.Length + 1 + 4), -1);
        doc.CopyTo(message, 20 + name.Length + 1 + 8);
        return message;
    }

    [Fact]
    public async Task Legacy_OP_QUERY_isMaster_is_answered_with_OP_REPLY()
    {
        await using var stream = await ConnectAsync();

        await stream.WriteAsync(OpQuery(7, "admin.$cmd", new BsonDocument("isMaster", 1)));
        var header = new byte[16];
        await stream.ReadExactlyAsync(header);
        var body = new byte[BinaryPrimitives.ReadInt32LittleEndian(header) - 16];
        await stream.ReadExactlyAsync(body);
        var reply = BsonSerializer.Deserialize<BsonDocument>(body.AsSpan(20).ToArray());

        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(16)));
        Assert.True(reply["ismaster"].AsBoolean);
        Assert.Equal(1.0, reply["ok"].ToDouble());
    }

    [Fact]
    public async Task A_malformed_message_closes_only_its_own_connection()
    {
        await using var bad = await ConnectAsync();
        var garbage = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(garbage, garbage.Length);
        BinaryPrimitives.WriteInt32LittleEndian(garbage.AsSpan(12), 2013);
        garbage.AsSpan(20).Fill(0xEE);

        await bad.WriteAsync(garbage);
        var read = await bad.ReadAsync(new byte[16]);
        using var client = new MongoClient(_server.ConnectionString);
        var ping = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));

        Assert.Equal(0, read);
        Assert.Equal(1.0, ping["ok"].ToDouble());
    }

    [Fact]
    public async Task Many_connections_write_and_read_one_collection_at_once()
    {
        const int writers = 16;
        const int perWriter = 2_000;
        var settings = MongoClientSettings.FromConnectionString(_server.ConnectionString);
        settings.MaxConnectionPoolSize = writers;
        using var client = new MongoClient(settings);
        var collection = client.GetDatabase("concurrent").GetCollection<BsonDocument>("c");

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i += 100)
            {
                await collection.InsertManyAsync(Enumerable.Range(i, 100).Select(j => new BsonDocument { { "_id", w * perWriter + j }, { "w", w } }));
                await collection.Find(new BsonDocument("w", w)).Limit(5).ToListAsync();
            }
        })));

        Assert.Equal(writers * perWriter, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        var ids = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("_id", 1)).Project(new BsonDocument("_id", 1)).ToListAsync();
        Assert.Equal(Enumerable.Range(0, writers * perWriter), ids.Select(d => d["_id"].AsInt32));
    }
}
