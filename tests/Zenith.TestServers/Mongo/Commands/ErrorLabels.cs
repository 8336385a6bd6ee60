namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// The error labels mongod attaches by itself, and the names of the error codes fail points answer with
/// (from mongod's error_codes.yml).
/// </summary>
internal static class ErrorLabels
{
    // The RetriableError category: a retryable write or a commit may be retried on these.
    private static readonly HashSet<int> Retriable = [6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

    // What drivers resume a change stream on, and mongod labels ResumableChangeStreamError on a change stream's getMore.
    private static readonly HashSet<int> Resumable = [6, 7, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436];

    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "InternalError", [2] = "BadValue", [6] = "HostUnreachable", [7] = "HostNotFound", [8] = "UnknownError",
        [11] = "UserNotFound", [13] = "Unauthorized", [14] = "TypeMismatch", [24] = "LockTimeout", [26] = "NamespaceNotFound",
        [43] = "CursorNotFound", [48] = "NamespaceExists", [50] = "MaxTimeMSExpired", [59] = "CommandNotFound",
        [64] = "WriteConcernFailed", [72] = "InvalidOptions", [79] = "UnknownReplWriteConcern", [89] = "NetworkTimeout",
        [91] = "ShutdownInProgress", [96] = "OperationFailed", [100] = "UnsatisfiableWriteConcern", [112] = "WriteConflict",
        [117] = "ConflictingOperationInProgress", [121] = "DocumentValidationFailure", [133] = "FailedToSatisfyReadPreference",
        [134] = "ReadConcernMajorityNotAvailableYet", [136] = "CappedPositionLost", [150] = "StaleEpoch", [175] = "QueryPlanKilled",
        [189] = "PrimarySteppedDown", [216] = "ElectionInProgress", [225] = "TransactionTooOld", [234] = "RetryChangeStream",
        [237] = "CursorKilled", [238] = "NotImplemented", [251] = "NoSuchTransaction", [256] = "TransactionCommitted",
        [262] = "ExceededTimeLimit", [263] = "OperationNotSupportedInTransaction", [280] = "ChangeStreamFatalError",
        [286] = "ChangeStreamHistoryLost", [9001] = "SocketException", [10107] = "NotWritablePrimary", [11000] = "DuplicateKey",
        [11600] = "InterruptedAtShutdown", [11601] = "Interrupted", [11602] = "InterruptedDueToReplStateChange",
        [13388] = "StaleConfig", [13435] = "NotPrimaryNoSecondaryOk", [13436] = "NotPrimaryOrSecondary",
    };

    /// <summary>The labels of a reply whose write concern failed: RetryableWriteError when the code is retriable, UnknownTransactionCommitResult on a commit.</summary>
    public static List<string> ForWriteConcernError(int code, CommandRequest request)
    {
        var labels = new List<string>();
        var isCommitOrAbort = request.Name is "commitTransaction" or "abortTransaction";
        if (Retriable.Contains(code) && (isCommitOrAbort || (request.Body.Contains("txnNumber") && !request.Body.Contains("autocommit"))))
        {
            labels.Add("RetryableWriteError");
        }
        // A write concern that can never be satisfied (unsatisfiable w, unknown tag) says the commit's result is not unknown.
        if (request.Name == "commitTransaction" && code is not (79 or 100))
        {
            labels.Add("UnknownTransactionCommitResult");
        }
        return labels;
    }

    public static string CodeName(int code) => Names.TryGetValue(code, out var name) ? name : $"Location{code}";

    /// <summary>
    /// The labels mongod gives an error of <paramref name="code"/> for this command. ResumableChangeStreamError
    /// comes from a change stream's own getMore path (not from failCommand, whose errors never carry it unless asked).
    /// </summary>
    public static List<string> For(int code, CommandRequest request, bool changeStreamGetMore)
    {
        var labels = new List<string>();
        var isCommitOrAbort = request.Name is "commitTransaction" or "abortTransaction";
        var inTransaction = request.Body.Contains("autocommit");
        var retryableWrite = request.Body.Contains("txnNumber") && !inTransaction;
        if (Retriable.Contains(code) && (retryableWrite || isCommitOrAbort))
        {
            labels.Add("RetryableWriteError");
        }
        if ((inTransaction && !isCommitOrAbort && (Retriable.Contains(code) || code is 24 or 112)) || (inTransaction && code == 251))
        {
            labels.Add("TransientTransactionError");
        }
        if (request.Name == "commitTransaction" && (Retriable.Contains(code) || code == 50))
        {
            labels.Add("UnknownTransactionCommitResult");
        }
        if (changeStreamGetMore && Resumable.Contains(code))
        {
            labels.Add("ResumableChangeStreamError");
        }
        return labels;
    }
}
