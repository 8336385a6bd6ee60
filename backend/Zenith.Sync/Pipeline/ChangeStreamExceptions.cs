namespace Zenith.Sync.Pipeline;

/// <summary>The stream's position is no longer in the oplog (MongoDB's ChangeStreamHistoryLost, 286): what follows depends on the connector's choice.</summary>
internal sealed class ChangeStreamHistoryLostException(string message, Exception inner) : Exception(message, inner);

/// <summary>The watched collection is gone (drop, rename, dropDatabase, invalidate): the connector stops, its table stays.</summary>
internal sealed class ChangeStreamSourceGoneException(string message) : Exception(message);
