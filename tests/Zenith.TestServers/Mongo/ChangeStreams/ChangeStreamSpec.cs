using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Query;

namespace Zenith.TestServers.Mongo.ChangeStreams;

/// <summary>What a change stream watches: one collection, one database, or the whole cluster.</summary>
internal enum ChangeStreamLevel
{
    Collection,
    Database,
    Cluster,
}

/// <summary>
/// A <c>$changeStream</c> stage and the stages after it, checked as mongod checks them: the options
/// (<c>fullDocument</c>, <c>fullDocumentBeforeChange</c>, one of <c>resumeAfter</c> / <c>startAfter</c> /
/// <c>startAtOperationTime</c>, <c>showExpandedEvents</c>, <c>allChangesForCluster</c>), where the stream
/// may be opened, and which stages may follow.
/// </summary>
internal sealed class ChangeStreamSpec
{
    private static readonly HashSet<string> Options =
    [
        "fullDocument", "fullDocumentBeforeChange", "resumeAfter", "startAfter", "startAtOperationTime", "showExpandedEvents",
        "allChangesForCluster", "$_generateV2ResumeTokens", "showSystemEvents", "showMigrationEvents", "showRawUpdateDescription",
    ];

    private static readonly HashSet<string> AllowedStages = ["$match", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith"];

    public required ChangeStreamLevel Level { get; init; }

    public required string Database { get; init; }

    public string? Collection { get; init; }

    public string FullDocument { get; init; } = "default";

    public string FullDocumentBeforeChange { get; init; } = "off";

    public ResumeToken? ResumeAfter { get; init; }

    public ResumeToken? StartAfter { get; init; }

    public BsonTimestamp? StartAtOperationTime { get; init; }

    public bool ShowExpandedEvents { get; init; }

    public required List<BsonElement> Stages { get; init; }

    public string Namespace => Level == ChangeStreamLevel.Collection ? $"{Database}.{Collection}" : $"{Database}.$cmd.aggregate";

    /// <summary>Parses a pipeline that starts with <c>$changeStream</c>; <paramref name="collection"/> is null for <c>aggregate: 1</c>.</summary>
    public static ChangeStreamSpec Parse(string database, string? collection, List<BsonElement> pipeline)
    {
        foreach (var later in pipeline.Skip(1))
        {
            if (later.Name == "$changeStream")
            {
                throw new CommandException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline.");
            }
            if (later.Name is "$redact" or "$changeStreamSplitLargeEvent")
            {
                throw CommandException.NotImplemented($"{later.Name} in a change stream is not supported by this test server");
            }
            if (!AllowedStages.Contains(later.Name))
            {
                throw new CommandException(20, "IllegalOperation", $"{later.Name} is not permitted in a $changeStream pipeline");
            }
        }
        var options = pipeline[0].Value as BsonDocument
            ?? throw CommandException.TypeMismatch("the $changeStream stage specification must be an object");
        foreach (var name in options.Names.Where(n => !Options.Contains(n)))
        {
            throw CommandException.UnknownField("$changeStream", name);
        }
        var resumeOptions = new[] { "resumeAfter", "startAfter", "startAtOperationTime" }.Count(options.Contains);
        if (resumeOptions > 1)
        {
            throw new CommandException(40674, "Location40674", "Only one type of resume option is allowed, but multiple were found.");
        }
        var level = LevelOf(database, collection, options.GetValue("allChangesForCluster", false).ToBoolean());
        return new ChangeStreamSpec
        {
            Level = level,
            Database = database,
            Collection = collection,
            FullDocument = Choice(options, "fullDocument", "default", "default", "updateLookup", "whenAvailable", "required"),
            FullDocumentBeforeChange = Choice(options, "fullDocumentBeforeChange", "off", "off", "whenAvailable", "required"),
            ResumeAfter = options.TryGetValue("resumeAfter", out var after) ? ResumeToken.Parse(after) : null,
            StartAfter = options.TryGetValue("startAfter", out var start) ? ResumeToken.Parse(start) : null,
            StartAtOperationTime = options.TryGetValue("startAtOperationTime", out var at)
                ? at as BsonTimestamp ?? throw CommandException.TypeMismatch("BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'")
                : null,
            ShowExpandedEvents = options.GetValue("showExpandedEvents", false).ToBoolean(),
            Stages = [.. pipeline.Skip(1)],
        };
    }

    private static ChangeStreamLevel LevelOf(string database, string? collection, bool allChangesForCluster)
    {
        if (allChangesForCluster)
        {
            if (database != "admin" || collection is not null)
            {
                throw new CommandException(73, "InvalidNamespace", "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name");
            }
            return ChangeStreamLevel.Cluster;
        }
        if (database is "admin" or "config" or "local")
        {
            throw new CommandException(73, "InvalidNamespace", $"$changeStream may not be opened on the internal {database} database");
        }
        if (collection is not null && collection.StartsWith("system.", StringComparison.Ordinal))
        {
            throw new CommandException(73, "InvalidNamespace", $"$changeStream may not be opened on the internal {database}.{collection} collection");
        }
        return collection is null ? ChangeStreamLevel.Database : ChangeStreamLevel.Collection;
    }

    private static string Choice(BsonDocument options, string name, string fallback, params string[] allowed)
    {
        if (!options.TryGetValue(name, out var value))
        {
            return fallback;
        }
        return value is BsonString s && allowed.Contains(s.Value)
            ? s.Value
            : throw CommandException.BadValue($"Enumeration value '{value}' for field '$changeStream.{name}' is not a valid value.");
    }

    /// <summary>Applies the stages after <c>$changeStream</c> to one event; null when a <c>$match</c> dropped it.</summary>
    public BsonDocument? Transform(BsonDocument changeEvent)
    {
        IEnumerable<BsonDocument> documents = [changeEvent];
        foreach (var stage in Stages)
        {
            documents = AggregationStages.Apply(documents, stage, allowDiskUse: null);
        }
        return documents.SingleOrDefault();
    }
}
