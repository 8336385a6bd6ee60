namespace Zenith.TestServers.Mongo;

/// <summary>How the MongoDB test server presents itself and how much history it keeps.</summary>
public sealed class MongoTestServerOptions
{
    /// <summary>The one-node replica set's name, as <c>hello</c> reports it (<c>?replicaSet=</c> must match). Default "rs0".</summary>
    public string ReplicaSetName { get; init; } = "rs0";

    /// <summary>
    /// The oplog's size in bytes (mongod's <c>--oplogSize</c>, there in MB); the oldest entries go when
    /// it is exceeded, and change streams resuming before them fail with ChangeStreamHistoryLost (286).
    /// Default 256 MiB.
    /// </summary>
    public long OplogSizeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>How long the oplog may stay idle before a no-op entry moves the cluster time on (mongod's periodic no-op writer: 10 s).</summary>
    public TimeSpan PeriodicNoopInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
