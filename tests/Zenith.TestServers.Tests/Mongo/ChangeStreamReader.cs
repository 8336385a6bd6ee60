using MongoDB.Bson;
using MongoDB.Driver;

namespace Zenith.TestServers.Tests.Mongo;

/// <summary>Reads a change stream until the events a test expects have arrived (or a generous deadline passes).</summary>
internal static class ChangeStreamReader
{
    public static async Task<List<T>> NextAsync<T>(IChangeStreamCursor<T> cursor, int count, TimeSpan? within = null)
    {
        var events = new List<T>();
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        while (events.Count < count && await cursor.MoveNextAsync(deadline.Token))
        {
            events.AddRange(cursor.Current);
        }
        return events;
    }

    public static async Task<T> OneAsync<T>(IChangeStreamCursor<T> cursor) => Xunit.Assert.Single(await NextAsync(cursor, 1));

    public static PipelineDefinition<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>> NoStages() =>
        new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>();

    public static PipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument> Stages(params string[] stages) =>
        PipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>.Create(stages.Select(BsonDocument.Parse));
}
