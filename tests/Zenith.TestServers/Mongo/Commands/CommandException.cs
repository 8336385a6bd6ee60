using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>A command failure answered as <c>{ok: 0, errmsg, code, codeName}</c>, as mongod does.</summary>
internal sealed class CommandException(int code, string codeName, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string CodeName { get; } = codeName;

    /// <summary>Fields mongod adds to this error's reply or write error (e.g. <c>keyPattern</c>, <c>keyValue</c>).</summary>
    public BsonDocument? Extra { get; init; }

    /// <summary>Labels such as <c>TransientTransactionError</c>, answered as <c>errorLabels</c>.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    public static CommandException BadValue(string message) => new(2, "BadValue", message);

    public static CommandException FailedToParse(string message) => new(9, "FailedToParse", message);

    public static CommandException TypeMismatch(string message) => new(14, "TypeMismatch", message);

    public static CommandException InvalidOptions(string message) => new(72, "InvalidOptions", message);

    public static CommandException NotImplemented(string message) => new(238, "NotImplemented", message);

    /// <summary>An unknown field in a command, as mongod's IDL parser reports it.</summary>
    public static CommandException UnknownField(string command, string field) =>
        new(40415, "Location40415", $"BSON field '{command}.{field}' is an unknown field.");

    public static CommandException DuplicateKey(string ns, string indexName, BsonDocument keyPattern, BsonDocument keyValue) =>
        new(11000, "DuplicateKey", $"E11000 duplicate key error collection: {ns} index: {indexName} dup key: {ShellFormat.Document(keyValue)}")
        {
            Extra = new BsonDocument { { "keyPattern", keyPattern }, { "keyValue", keyValue } },
        };
}
