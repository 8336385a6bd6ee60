using MongoDB.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Replication;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Sessions;

/// <summary>
/// A write outside a transaction found a document an open transaction holds: as in mongod, it
/// waits for that transaction to end, then runs again. Thrown before the statement changed anything.
/// </summary>
internal sealed class TransactionBlockedException(Transaction holder) : Exception("the document is held by an open transaction")
{
    public Transaction Holder { get; } = holder;
}

/// <summary>
/// How one command reads and writes documents: through its transaction, or directly (autocommit),
/// where documents held by an open transaction make the statement wait for it. The caller holds
/// the collection's lock.
/// </summary>
internal sealed class DocumentAccess(Transaction? transaction)
{
    public static readonly DocumentAccess Autocommit = new(null);

    public Transaction? Transaction => transaction;

    public List<DocumentVersion> Collect(CollectionStore collection, QuerySpec query) =>
        transaction is not null
            ? transaction.Collect(collection, query)
            : [.. QueryExecutor.Collect(collection, query).Select(r => new DocumentVersion(r.RecordId, r.Document, r))];

    /// <summary>Outside a transaction: waits (by throwing <see cref="TransactionBlockedException"/>) when any of the documents is held.</summary>
    public void CheckNotHeld(CollectionStore collection, IEnumerable<BsonValue> ids)
    {
        if (transaction is not null || collection.TransactionLocks.Count == 0)
        {
            return;
        }
        foreach (var id in ids)
        {
            if (collection.TransactionLocks.TryGetValue(id, out var holder) && holder is Transaction { IsInProgress: true } open)
            {
                throw new TransactionBlockedException(open);
            }
        }
    }

    public void Insert(CollectionStore collection, StoredDocument document)
    {
        if (transaction is not null)
        {
            transaction.Insert(collection, document);
            return;
        }
        CheckNotHeld(collection, [document.Id]);
        collection.Insert(document);
    }

    public void Replace(CollectionStore collection, DocumentVersion version, StoredDocument updated, DocumentChange change)
    {
        if (transaction is not null)
        {
            transaction.Replace(collection, version, updated, change);
            return;
        }
        collection.Replace(version.Record!, updated, change);
    }

    public void Delete(CollectionStore collection, DocumentVersion version)
    {
        if (transaction is not null)
        {
            transaction.Delete(collection, version);
            return;
        }
        collection.Delete(version.Record!);
    }

    /// <summary>Runs a statement, waiting out (and then re-running after) any transaction holding its documents.</summary>
    public static T WaitingForTransactions<T>(Func<T> statement)
    {
        while (true)
        {
            try
            {
                return statement();
            }
            catch (TransactionBlockedException blocked)
            {
                // A transaction lives at most transactionLifetimeLimitSeconds; then it is aborted and releases its documents.
                blocked.Holder.Completed.Wait(OperationDeadline.Remaining(SessionRegistry.TransactionLifetimeLimit + TimeSpan.FromSeconds(5)));
                OperationDeadline.Check();
            }
        }
    }
}
