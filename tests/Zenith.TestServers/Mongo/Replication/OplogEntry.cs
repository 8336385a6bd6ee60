using MongoDB.Bson;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Replication;

/// <summary>What an oplog entry records.</summary>
internal enum OplogOp
{
    Insert,
    Update,
    Replace,
    Delete,
    Create,
    Drop,
    Rename,
    DropDatabase,
    CreateIndexes,
    DropIndexes,
    Modify,
    Noop,
}

/// <summary>
/// One entry of the server's oplog: a document write (with the images change streams need: the
/// inserted or replacing document, the update's description, and the pre- and post-images when the
/// collection records them) or a collection or database command. A transaction's entries share a
/// timestamp and carry its lsid, txnNumber and their index in the transaction.
/// </summary>
internal sealed class OplogEntry
{
    public required long Sequence { get; init; }

    public required BsonTimestamp Ts { get; init; }

    public required long WallMilliseconds { get; init; }

    public required OplogOp Op { get; init; }

    public required string Database { get; init; }

    public string? Collection { get; init; }

    public Guid? CollectionUuid { get; init; }

    public BsonValue? DocumentKey { get; init; }

    /// <summary>The inserted document, or the replacement (Replace), or the document after an update.</summary>
    public StoredDocument? Document { get; init; }

    public BsonDocument? UpdateDescription { get; init; }

    /// <summary>The document before an update, replace or delete, kept only when the collection records pre-images.</summary>
    public StoredDocument? PreImage { get; init; }

    /// <summary>True when <see cref="Document"/> of an update may serve as its post-image (the collection records images).</summary>
    public bool HasPostImage { get; init; }

    public BsonDocument? Lsid { get; init; }

    public long? TxnNumber { get; init; }

    public int TxnOpIndex { get; init; }

    /// <summary>Command details: the rename target, the index specs, the collection options…</summary>
    public BsonDocument? Details { get; init; }

    /// <summary>Bytes counted against the oplog's size.</summary>
    public long Size { get; init; }

    public string? Namespace => Collection is null ? null : Database + "." + Collection;
}
