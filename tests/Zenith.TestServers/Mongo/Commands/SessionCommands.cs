using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// Logical sessions around each command, as mongod's TransactionParticipant handles them: starting and
/// continuing transactions (<c>startTransaction</c>, <c>autocommit: false</c>, <c>txnNumber</c>),
/// commitTransaction / abortTransaction, retryable writes answered from the session's last reply when
/// retried, and endSessions.
/// </summary>
internal sealed partial class CommandDispatcher
{
    private static readonly HashSet<string> RetryableWrites = ["insert", "update", "delete", "findAndModify", "findandmodify"];

    private static readonly HashSet<string> AllowedInTransaction =
    [
        "find", "getMore", "killCursors", "insert", "update", "delete", "findAndModify", "findandmodify", "aggregate", "distinct",
        "commitTransaction", "abortTransaction", "create", "createIndexes", "bulkWrite",
    ];

    /// <summary>What a command's session needs after it ran: a reply to remember, a transaction to abort.</summary>
    private sealed class SessionOutcome
    {
        public byte[]? CachedReply { get; init; }

        public Action<MessageBuffer, int>? OnSuccess { get; init; }

        public Action? OnFailure { get; init; }

        public void Succeeded(MessageBuffer output, int start) => OnSuccess?.Invoke(output, start);

        public void Failed() => OnFailure?.Invoke();
    }

    private SessionOutcome? PrepareSession(CommandRequest request)
    {
        var body = request.Body;
        var hasTxnNumber = body.TryGetValue("txnNumber", out var txnValue);
        var hasAutocommit = body.TryGetValue("autocommit", out var autocommit);
        if (!body.TryGetValue("lsid", out var lsid))
        {
            if (hasTxnNumber)
            {
                throw CommandException.InvalidOptions("Transaction number requires a session ID to also be specified");
            }
            if (hasAutocommit)
            {
                throw CommandException.InvalidOptions("'autocommit' field requires a transaction number to also be specified");
            }
            return null;
        }
        var session = _server.Sessions.Get(lsid);
        if (!hasTxnNumber)
        {
            if (hasAutocommit)
            {
                throw CommandException.InvalidOptions("'autocommit' field requires a transaction number to also be specified");
            }
            if (body.Contains("startTransaction"))
            {
                throw CommandException.InvalidOptions("'startTransaction' field requires 'autocommit' field to also be specified");
            }
            return null;
        }
        var txnNumber = txnValue.ToInt64();
        if (txnNumber < 0)
        {
            throw CommandException.InvalidOptions("Transaction number cannot be negative");
        }
        if (hasAutocommit)
        {
            if (autocommit.ToBoolean())
            {
                throw CommandException.InvalidOptions("Specifying autocommit=true is not allowed.");
            }
            return PrepareTransaction(request, session, txnNumber);
        }
        if (body.Contains("startTransaction"))
        {
            throw CommandException.InvalidOptions("'startTransaction' field requires 'autocommit' field to also be specified");
        }
        return RetryableWrites.Contains(request.Name) ? PrepareRetryableWrite(request, session, txnNumber) : null;
    }

    private SessionOutcome PrepareTransaction(CommandRequest request, ServerSession session, long txnNumber)
    {
        if (!AllowedInTransaction.Contains(request.Name))
        {
            throw new CommandException(263, "OperationNotSupportedInTransaction", $"Cannot run '{request.Name}' in a multi-document transaction.");
        }
        var isCommitOrAbort = request.Name is "commitTransaction" or "abortTransaction";
        if (!isCommitOrAbort && request.Body.Contains("writeConcern"))
        {
            throw CommandException.InvalidOptions("Cannot set write concern after starting a transaction.");
        }
        Transaction transaction;
        lock (session.Sync)
        {
            if (txnNumber < session.TxnNumber)
            {
                throw new CommandException(225, "TransactionTooOld",
                    $"Cannot start transaction {txnNumber} on session {session.Id} because a newer transaction with txnNumber {session.TxnNumber} has already started on this session.");
            }
            if (request.Body.TryGetValue("startTransaction", out var start))
            {
                if (!start.ToBoolean())
                {
                    throw CommandException.InvalidOptions("Specifying startTransaction=false is not allowed.");
                }
                if (txnNumber == session.TxnNumber)
                {
                    throw new CommandException(117, "ConflictingOperationInProgress", "Only servers in a sharded cluster can start a new transaction at the active transaction number");
                }
                CheckTransactionReadConcern(request.Body);
                session.Transaction?.Abort();
                var snapshot = _server.Snapshots.Open(_server.Oplog, _server.Clock);
                session.Transaction = new Transaction(session, txnNumber, _server.Snapshots, snapshot, _server.Sessions.Now);
                session.TxnNumber = txnNumber;
                session.LastRetryableWrite = null;
            }
            else if (txnNumber != session.TxnNumber || session.Transaction is null || session.Transaction.TxnNumber != txnNumber)
            {
                throw NoSuchTransaction($"Given transaction number {txnNumber} does not match any in-progress transactions. The active transaction number is {session.TxnNumber}");
            }
            else if (!isCommitOrAbort && request.Body.Contains("readConcern"))
            {
                throw CommandException.InvalidOptions("Only the first command in a transaction may specify a readConcern");
            }
            transaction = session.Transaction;
        }
        if (!isCommitOrAbort)
        {
            switch (transaction.State)
            {
                case Transaction.Status.Aborted:
                    throw NoSuchTransaction(AbortedMessage(transaction));
                case Transaction.Status.Committed:
                    throw new CommandException(256, "TransactionCommitted", $"Transaction with {{ txnNumber: {txnNumber} }} has been committed.");
            }
        }
        request.Access = new DocumentAccess(transaction);
        return new SessionOutcome
        {
            // Any failure inside a transaction aborts it, as in mongod; so does a write error.
            OnFailure = isCommitOrAbort ? null : () => AbortAfterFailure(transaction),
            OnSuccess = isCommitOrAbort ? null : (output, start) =>
            {
                if (RawBson.TryFindField(output.Written.Span[start..], "writeErrors"u8, out _, out _, out _))
                {
                    AbortAfterFailure(transaction);
                }
            },
        };
    }

    private static void AbortAfterFailure(Transaction transaction)
    {
        lock (transaction.Session.Sync)
        {
            transaction.Abort();
        }
    }

    private static void CheckTransactionReadConcern(BsonDocument body)
    {
        if (body.GetValue("readConcern", BsonNull.Value) is BsonDocument rc && rc.GetValue("level", "local") is BsonString { Value: var level }
            && level is not ("local" or "majority" or "snapshot"))
        {
            throw CommandException.InvalidOptions($"The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction");
        }
    }

    private static string AbortedMessage(Transaction transaction) => transaction.Expired
        ? $"Transaction with {{ txnNumber: {transaction.TxnNumber} }} has been aborted because it exceeded transactionLifetimeLimitSeconds."
        : $"Transaction with {{ txnNumber: {transaction.TxnNumber} }} has been aborted.";

    private static CommandException NoSuchTransaction(string message) =>
        new(251, "NoSuchTransaction", message) { Labels = ["TransientTransactionError"] };

    private static SessionOutcome? PrepareRetryableWrite(CommandRequest request, ServerSession session, long txnNumber)
    {
        lock (session.Sync)
        {
            if (txnNumber < session.TxnNumber)
            {
                throw new CommandException(225, "TransactionTooOld",
                    $"Retryable write with txnNumber {txnNumber} is prohibited on session {session.Id} because a newer retryable write with txnNumber {session.TxnNumber} has already started on this session.");
            }
            if (txnNumber == session.TxnNumber && session.LastRetryableWrite is { } last && last.TxnNumber == txnNumber)
            {
                // A retry (the reply was lost): answered as the first time, without writing again.
                return last.Command == request.Name ? new SessionOutcome { CachedReply = last.Reply } : null;
            }
            if (session.Transaction is { IsInProgress: true } open)
            {
                open.Abort();
            }
            session.TxnNumber = txnNumber;
        }
        return new SessionOutcome
        {
            OnSuccess = (output, start) =>
            {
                lock (session.Sync)
                {
                    session.LastRetryableWrite = (txnNumber, request.Name, output.Written.Span[start..].ToArray());
                }
            },
        };
    }

    private void CommitTransaction(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("recoveryToken"));
        var transaction = request.Access.Transaction ?? throw CommandException.InvalidOptions("commitTransaction must be run within a transaction");
        lock (transaction.Session.Sync)
        {
            switch (transaction.State)
            {
                case Transaction.Status.Committed:
                    // A retried commit of a committed transaction succeeds again.
                    break;
                case Transaction.Status.Aborted:
                    throw NoSuchTransaction(AbortedMessage(transaction));
                default:
                    try
                    {
                        transaction.Commit(_server.Journal, _store);
                    }
                    catch (CommandException)
                    {
                        transaction.Abort();
                        throw;
                    }
                    break;
            }
        }
        output.WriteDocument(WriteConcernError(request.Body) is { } concernError
            ? new BsonDocument { { "writeConcernError", concernError }, { "ok", 1.0 } }
            : Ok());
    }

    private void AbortTransaction(CommandRequest request, MessageBuffer output)
    {
        request.Validate(CommandOptions.Fields("recoveryToken"));
        var transaction = request.Access.Transaction ?? throw CommandException.InvalidOptions("abortTransaction must be run within a transaction");
        lock (transaction.Session.Sync)
        {
            switch (transaction.State)
            {
                case Transaction.Status.Committed:
                    throw new CommandException(256, "TransactionCommitted", $"Transaction with {{ txnNumber: {transaction.TxnNumber} }} has been committed.");
                case Transaction.Status.Aborted:
                    throw new CommandException(251, "NoSuchTransaction", $"Transaction with {{ txnNumber: {transaction.TxnNumber} }} has been aborted.");
                default:
                    transaction.Abort();
                    break;
            }
        }
        output.WriteDocument(Ok());
    }

    private void EndSessions(CommandRequest request, MessageBuffer output)
    {
        foreach (var lsid in request.Body[0] as BsonArray ?? [])
        {
            if (lsid is BsonDocument d && d.GetValue("id", BsonNull.Value) is BsonBinaryData { SubType: BsonBinarySubType.UuidStandard } id)
            {
                _server.Sessions.End(id.ToGuid(GuidRepresentation.Standard));
            }
        }
        output.WriteDocument(Ok());
    }
}
