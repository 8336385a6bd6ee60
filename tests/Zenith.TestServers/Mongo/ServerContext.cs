using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo;

/// <summary>Everything one server holds: its data, its oplog and clock, its sessions, and how it presents itself.</summary>
internal sealed class ServerContext
{
    public ServerContext(MongoTestServerOptions options, int port)
    {
        Options = options;
        Port = port;
        Clock = new ClusterClock(options.TimeProvider);
        Oplog = new Oplog(options.OplogSizeBytes);
        Snapshots = new SnapshotRegistry();
        Journal = new WriteJournal(Clock, Oplog, Snapshots);
        Store = new MongoStore(Journal);
        Sessions = new SessionRegistry(options.TimeProvider);
        ReplicaSet = new ReplicaSet(options.ReplicaSetName, $"127.0.0.1:{port}", Clock);
        Cursors = new Commands.CursorRegistry(options.TimeProvider);
    }

    public MongoTestServerOptions Options { get; }

    public int Port { get; }

    public ClusterClock Clock { get; }

    public Oplog Oplog { get; }

    public SnapshotRegistry Snapshots { get; }

    public WriteJournal Journal { get; }

    public MongoStore Store { get; }

    public SessionRegistry Sessions { get; }

    public ReplicaSet ReplicaSet { get; }

    public Commands.CursorRegistry Cursors { get; }

    public Commands.FailPoints FailPoints { get; } = new();

    public Commands.ServerParameters Parameters { get; } = new();

    /// <summary>Runs once a second: aborts expired transactions, forgets idle sessions, writes the periodic no-op.</summary>
    public void Tick()
    {
        Sessions.Reap();
        Cursors.ExpireIdle(Parameters.CursorTimeoutMillis);
        var newest = Oplog.Newest;
        var idle = newest is null ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(Clock.WallClockMilliseconds - newest.WallMilliseconds);
        if (idle >= Options.PeriodicNoopInterval)
        {
            // mongod's periodic no-op writer: an idle replica set's cluster time (and change streams' resume tokens) still moves on.
            Journal.Command(OplogOp.Noop, "", null, null, new MongoDB.Bson.BsonDocument("msg", "periodic noop"));
        }
    }
}
