using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>Runs one command and writes its reply document; unknown commands answer CommandNotFound (59).</summary>
internal sealed partial class CommandDispatcher
{
    private const string Version = "7.0.0";

    // mongod commands this server does not implement: NotImplemented, not "no such command".
    private static readonly HashSet<string> KnownCommands =
    [
        "collMod", "renameCollection", "currentOp", "killOp", "serverStatus", "dbStats", "collStats", "validate", "compact",
        "mapReduce", "createUser", "dropUser", "usersInfo", "createRole", "connectionStatus", "hostInfo", "getLog",
        "configureFailPoint", "getParameter", "setParameter", "replSetGetStatus", "replSetGetConfig", "startSession",
        "refreshSessions", "killSessions", "killAllSessions", "commitTransaction", "abortTransaction", "cloneCollectionAsCapped",
        "convertToCapped", "reIndex", "fsync", "shutdown", "profile", "listSearchIndexes", "createSearchIndexes", "planCacheClear",
        "dataSize", "getMore2", "lockInfo", "top", "whatsmyuri", "saslStart", "authenticate", "logout", "getCmdLineOpts",
        "serverStatus", "autoSplitVector", "analyze", "cleanupOrphaned", "dbHash", "filemd5", "geoSearch", "setFeatureCompatibilityVersion",
    ];

    private readonly MongoStore _store;
    private readonly int _port;
    private readonly CursorRegistry _cursors = new();
    private readonly Dictionary<string, Action<CommandRequest, MessageBuffer>> _handlers;

    public CommandDispatcher(MongoStore store, int port)
    {
        _store = store;
        _port = port;
        _handlers = new(StringComparer.Ordinal)
        {
            ["ping"] = (_, o) => o.WriteDocument(Ok()),
            ["endSessions"] = (_, o) => o.WriteDocument(Ok()),
            ["buildInfo"] = BuildInfo,
            ["buildinfo"] = BuildInfo,
            ["listDatabases"] = ListDatabases,
            ["listCollections"] = ListCollections,
            ["create"] = Create,
            ["drop"] = Drop,
            ["dropDatabase"] = DropDatabase,
            ["createIndexes"] = CreateIndexes,
            ["listIndexes"] = ListIndexes,
            ["dropIndexes"] = DropIndexes,
            ["deleteIndexes"] = DropIndexes,
            ["explain"] = Explain,
            ["insert"] = Insert,
            ["update"] = Update,
            ["delete"] = Delete,
            ["find"] = Find,
            ["getMore"] = GetMore,
            ["killCursors"] = KillCursors,
            ["count"] = Count,
            ["aggregate"] = Aggregate,
            ["findAndModify"] = FindAndModify,
            ["findandmodify"] = FindAndModify,
            ["distinct"] = Distinct,
        };
    }

    public void Execute(CommandRequest request, MessageBuffer output, int connectionId)
    {
        var start = output.Length;
        try
        {
            if (request.Body.Contains("startTransaction") || request.Body.Contains("autocommit"))
            {
                throw CommandException.NotImplemented("multi-document transactions are not supported by this test server");
            }
            if (request.Name is "hello" or "isMaster" or "ismaster")
            {
                output.WriteDocument(HelloReply(request, connectionId));
            }
            else if (_handlers.TryGetValue(request.Name, out var handler))
            {
                handler(request, output);
            }
            else if (KnownCommands.Contains(request.Name))
            {
                throw CommandException.NotImplemented($"the '{request.Name}' command is not supported by this test server");
            }
            else
            {
                throw new CommandException(59, "CommandNotFound", $"no such command: '{request.Name}'");
            }
        }
        catch (CommandException e)
        {
            output.Truncate(start);
            var error = Error(e.Code, e.CodeName, e.Message);
            if (e.Extra is not null)
            {
                error.AddRange(e.Extra);
            }
            if (e.Labels.Count > 0)
            {
                error["errorLabels"] = new BsonArray(e.Labels);
            }
            output.WriteDocument(error);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or KeyNotFoundException or ArgumentException or OverflowException or InvalidOperationException)
        {
            // A command with the wrong shape (e.g. a string where a document belongs): answer, don't drop the connection.
            output.Truncate(start);
            output.WriteDocument(Error(14, "TypeMismatch", $"{request.Name}: {e.Message}"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of this server must reach the test as an error reply, not as a dropped connection.
            output.Truncate(start);
            output.WriteDocument(Error(1, "InternalError", $"{request.Name} failed in the test server: {e.GetType().Name}: {e.Message}"));
        }
    }

    public static BsonDocument Ok() => new("ok", 1.0);

    public static BsonDocument Error(int code, string codeName, string message) =>
        new() { { "ok", 0.0 }, { "errmsg", message }, { "code", code }, { "codeName", codeName } };

    private static BsonDocument HelloReply(CommandRequest request, int connectionId)
    {
        var reply = new BsonDocument();
        if (request.Body.Contains("helloOk"))
        {
            reply["helloOk"] = true;
        }
        reply[request.Name == "hello" ? "isWritablePrimary" : "ismaster"] = true;
        reply.AddRange(new BsonDocument
        {
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", new BsonDateTime(DateTime.UtcNow) },
            { "logicalSessionTimeoutMinutes", 30 },
            { "connectionId", connectionId },
            { "minWireVersion", 0 },
            { "maxWireVersion", 21 },
            { "readOnly", false },
            { "ok", 1.0 },
        });
        return reply;
    }

    private void BuildInfo(CommandRequest request, MessageBuffer output) => output.WriteDocument(new BsonDocument
    {
        { "version", Version },
        { "gitVersion", "zenith-test-server" },
        { "versionArray", new BsonArray { 7, 0, 0, 0 } },
        { "bits", 64 },
        { "debug", false },
        { "maxBsonObjectSize", 16 * 1024 * 1024 },
        { "storageEngines", new BsonArray { "memory" } },
        { "ok", 1.0 },
    });

    /// <summary>Writes <c>{cursor: {firstBatch|nextBatch: [...], id, ns}, ok: 1}</c>, copying documents straight into the reply.</summary>
    private void WriteCursorReply(MessageBuffer output, ServerCursor cursor, int maxDocuments, bool isFirstBatch, bool singleBatch)
    {
        var root = output.BeginDocument();
        output.WriteName(0x03, "cursor");
        var inner = output.BeginDocument();
        output.WriteName(0x04, isFirstBatch ? "firstBatch" : "nextBatch");
        var array = output.BeginDocument();
        bool exhausted;
        lock (cursor)
        {
            exhausted = cursor.Fill(new BatchWriter(output, maxDocuments));
            cursor.LastUsed = Environment.TickCount64;
        }
        output.EndDocument(array);
        long id = 0;
        if (exhausted || singleBatch)
        {
            if (!isFirstBatch)
            {
                _cursors.Remove(cursor.Id);
            }
        }
        else
        {
            id = isFirstBatch ? _cursors.Register(cursor) : cursor.Id;
        }
        output.WriteName(0x12, "id");
        output.WriteInt64(id);
        output.WriteString("ns", cursor.Namespace);
        output.EndDocument(inner);
        output.WriteName(0x01, "ok");
        output.WriteDouble(1.0);
        output.EndDocument(root);
    }
}
