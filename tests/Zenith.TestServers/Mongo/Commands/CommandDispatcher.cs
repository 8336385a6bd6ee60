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
        "currentOp", "killOp", "serverStatus", "dbStats", "collStats", "validate", "compact",
        "mapReduce", "createUser", "dropUser", "usersInfo", "createRole", "connectionStatus", "hostInfo", "getLog",
        "replSetGetConfig", "startSession",
        "refreshSessions", "killSessions", "killAllSessions", "cloneCollectionAsCapped", "replSetResizeOplog",
        "convertToCapped", "reIndex", "fsync", "shutdown", "profile", "listSearchIndexes", "createSearchIndexes", "planCacheClear",
        "dataSize", "getMore2", "lockInfo", "top", "whatsmyuri", "saslStart", "authenticate", "logout", "getCmdLineOpts",
        "serverStatus", "autoSplitVector", "analyze", "cleanupOrphaned", "dbHash", "filemd5", "geoSearch", "setFeatureCompatibilityVersion",
    ];

    private readonly ServerContext _server;
    private readonly MongoStore _store;
    private readonly int _port;
    private readonly CursorRegistry _cursors;
    private readonly Dictionary<string, Action<CommandRequest, MessageBuffer>> _handlers;
    private readonly Dictionary<string, Func<CommandRequest, MessageBuffer, CancellationToken, ValueTask>> _asyncHandlers;

    public CommandDispatcher(ServerContext server)
    {
        _server = server;
        _store = server.Store;
        _port = server.Port;
        _cursors = server.Cursors;
        _handlers = new(StringComparer.Ordinal)
        {
            ["ping"] = (_, o) => o.WriteDocument(Ok()),
            ["endSessions"] = EndSessions,
            ["commitTransaction"] = CommitTransaction,
            ["abortTransaction"] = AbortTransaction,
            ["buildInfo"] = BuildInfo,
            ["buildinfo"] = BuildInfo,
            ["listDatabases"] = ListDatabases,
            ["listCollections"] = ListCollections,
            ["create"] = Create,
            ["collMod"] = CollMod,
            ["drop"] = Drop,
            ["dropDatabase"] = DropDatabase,
            ["renameCollection"] = RenameCollection,
            ["createIndexes"] = CreateIndexes,
            ["listIndexes"] = ListIndexes,
            ["dropIndexes"] = DropIndexes,
            ["deleteIndexes"] = DropIndexes,
            ["explain"] = Explain,
            ["insert"] = Insert,
            ["update"] = Update,
            ["delete"] = Delete,
            ["find"] = Find,
            ["killCursors"] = KillCursors,
            ["count"] = Count,
            ["aggregate"] = Aggregate,
            ["findAndModify"] = FindAndModify,
            ["findandmodify"] = FindAndModify,
            ["distinct"] = Distinct,
            ["replSetGetStatus"] = ReplSetGetStatus,
            ["configureFailPoint"] = (r, o) => o.WriteDocument(_server.FailPoints.Configure(r.Body)),
            ["getParameter"] = (r, o) => o.WriteDocument(_server.Parameters.Get(r.Body)),
            ["setParameter"] = (r, o) => o.WriteDocument(_server.Parameters.Set(r.Body)),
        };
        _asyncHandlers = new(StringComparer.Ordinal)
        {
            ["hello"] = HelloAsync,
            ["isMaster"] = HelloAsync,
            ["ismaster"] = HelloAsync,
            ["getMore"] = GetMoreAsync,
        };
    }

    /// <summary>Runs a command and writes its reply (with the cluster time every replica set member gossips).</summary>
    public async ValueTask ExecuteAsync(CommandRequest request, MessageBuffer output, ConnectionContext connection, CancellationToken cancellationToken)
    {
        var start = output.Length;
        request.ConnectionId = connection.Id;
        request.Connection = connection;
        SessionOutcome? session = null;
        try
        {
            session = PrepareSession(request);
            if (session?.CachedReply is { } cached)
            {
                output.WriteBytes(cached);
                return;
            }
            var fail = await FailCommandAsync(request, connection, cancellationToken);
            if (!IsChangeStreamGetMore(request))
            {
                // A change stream's getMore takes maxTimeMS as how long to wait for events, not as a limit.
                OperationDeadline.Start(request.Body, _server.Options.TimeProvider);
            }
            if (_asyncHandlers.TryGetValue(request.Name, out var asyncHandler))
            {
                await asyncHandler(request, output, cancellationToken);
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
            if (fail?.WriteConcernError is { } concernError)
            {
                var labels = fail.ErrorLabels is { } given
                    ? [.. given.Select(l => l.AsString)]
                    : ErrorLabels.ForWriteConcernError(concernError.GetValue("code", 0).ToInt32(), request);
                output.ReopenDocument(start);
                output.WriteName(0x03, "writeConcernError");
                output.WriteBytes(concernError.ToBson());
                if (labels.Count > 0)
                {
                    output.WriteName(0x04, "errorLabels");
                    output.WriteBytes(new BsonDocument(labels.Select((l, i) => new BsonElement(i.ToString(System.Globalization.CultureInfo.InvariantCulture), l))).ToBson());
                }
                output.EndDocument(start);
            }
            AppendClusterTime(output, start);
            session?.Succeeded(output, start);
        }
        catch (CommandException e)
        {
            WriteError(output, start, e);
            session?.Failed();
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or KeyNotFoundException or ArgumentException or OverflowException or InvalidOperationException)
        {
            // A command with the wrong shape (e.g. a string where a document belongs): answer, don't drop the connection.
            WriteError(output, start, new CommandException(14, "TypeMismatch", $"{request.Name}: {e.Message}"));
            session?.Failed();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException or IOException))
        {
            // A defect of this server must reach the test as an error reply, not as a dropped connection.
            WriteError(output, start, new CommandException(1, "InternalError", $"{request.Name} failed in the test server: {e.GetType().Name}: {e.Message}"));
            session?.Failed();
        }
        finally
        {
            OperationDeadline.Clear();
        }
    }

    /// <summary>Applies the failCommand fail point: blocks, closes the connection, or fails the command, as configured.</summary>
    private async ValueTask<FailAction?> FailCommandAsync(CommandRequest request, ConnectionContext connection, CancellationToken cancellationToken)
    {
        var fail = _server.FailPoints.ForCommand(request.Name, connection.AppName);
        if (fail is null)
        {
            return null;
        }
        if (fail.BlockMilliseconds > 0)
        {
            await Task.Delay(fail.BlockMilliseconds, cancellationToken);
        }
        if (fail.CloseConnection)
        {
            throw new IOException("closed by the failCommand fail point");
        }
        if (fail.ErrorCode is { } code)
        {
            var labels = fail.ErrorLabels is { } given ? [.. given.Select(l => l.AsString)] : ErrorLabels.For(code, request, changeStreamGetMore: false);
            throw new CommandException(code, ErrorLabels.CodeName(code), "Failing command via 'failCommand' failpoint")
            {
                Labels = labels,
                Extra = fail.ErrorExtraInfo,
            };
        }
        return fail;
    }

    private bool IsChangeStreamGetMore(CommandRequest request) =>
        request.Name == "getMore" && request.Body[0].IsNumeric && _cursors.Find(request.Body[0].ToInt64()) is ChangeStreams.ChangeStreamCursor;

    private void WriteError(MessageBuffer output, int start, CommandException e)
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
        AppendClusterTime(output, start);
    }

    // Every reply of a replica set member carries $clusterTime and operationTime (drivers gossip them, sessions read after them).
    private void AppendClusterTime(MessageBuffer output, int start)
    {
        output.ReopenDocument(start);
        output.WriteName(0x03, "$clusterTime");
        output.WriteBytes(_server.ReplicaSet.ClusterTimeDocument().ToBson());
        output.WriteName(0x11, "operationTime");
        output.WriteInt64(_server.Clock.Latest.Value);
        output.EndDocument(start);
    }

    public static BsonDocument Ok() => new("ok", 1.0);

    public static BsonDocument Error(int code, string codeName, string message) =>
        new() { { "ok", 0.0 }, { "errmsg", message }, { "code", code }, { "codeName", codeName } };

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
            cursor.InUse = true;
            try
            {
                exhausted = cursor.Fill(new BatchWriter(output, maxDocuments));
            }
            finally
            {
                cursor.LastUsed = _cursors.Now;
                cursor.InUse = false;
            }
        }
        output.EndDocument(array);
        if (cursor is ChangeStreams.ChangeStreamCursor stream)
        {
            output.WriteName(0x03, "postBatchResumeToken");
            output.WriteBytes(stream.PostBatchResumeToken.ToDocument().ToBson());
        }
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
