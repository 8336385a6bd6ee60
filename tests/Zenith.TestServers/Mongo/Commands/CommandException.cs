namespace Zenith.TestServers.Mongo.Commands;

/// <summary>A command failure answered as <c>{ok: 0, errmsg, code, codeName}</c>, as mongod does.</summary>
internal sealed class CommandException(int code, string codeName, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string CodeName { get; } = codeName;

    public static CommandException BadValue(string message) => new(2, "BadValue", message);

    public static CommandException FailedToParse(string message) => new(9, "FailedToParse", message);

    public static CommandException TypeMismatch(string message) => new(14, "TypeMismatch", message);

    public static CommandException NotImplemented(string message) => new(238, "NotImplemented", message);
}
