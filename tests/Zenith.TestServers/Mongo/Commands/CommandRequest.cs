using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>
/// One command: its body document and any OP_MSG document sequences (kind 1 sections, e.g. the
/// documents of an <c>insert</c>), which stay as slices of the received message.
/// </summary>
internal sealed class CommandRequest(BsonDocument body, IReadOnlyDictionary<string, List<ArraySegment<byte>>> sequences)
{
    public BsonDocument Body { get; } = body;

    public string Name { get; } = body.ElementCount > 0 ? body.GetElement(0).Name : "";

    public string Database { get; } = body.TryGetValue("$db", out var db) && db is BsonString s ? s.Value : "admin";

    public IReadOnlyDictionary<string, List<ArraySegment<byte>>> Sequences { get; } = sequences;

    public int ConnectionId { get; set; }

    public ConnectionContext? Connection { get; set; }

    /// <summary>How this command reads and writes: through its transaction, or directly.</summary>
    public Sessions.DocumentAccess Access { get; set; } = Sessions.DocumentAccess.Autocommit;

    /// <summary>The command's collection: the string value of its first field.</summary>
    public string Collection =>
        Body[0] is BsonString s && s.Value.Length > 0 ? s.Value : throw new CommandException(73, "InvalidNamespace", $"Invalid namespace specified for {Name}");

    public BsonDocument? OptionalDocument(string name) =>
        Body.TryGetValue(name, out var v) && !v.IsBsonNull ? v as BsonDocument ?? throw CommandException.TypeMismatch($"'{name}' must be an object") : null;

    public long OptionalInt64(string name, long fallback = 0) =>
        Body.TryGetValue(name, out var v) && v.IsNumeric ? v.ToInt64() : fallback;

    public bool OptionalBool(string name, bool fallback = false) =>
        Body.TryGetValue(name, out var v) && !v.IsBsonNull ? v.ToBoolean() : fallback;

    /// <summary>
    /// Refuses fields this command does not know (mongod's IDL parser answers 40415) and, via
    /// <see cref="CommandOptions.RejectUnimplemented"/>, known options this server does not implement.
    /// Arguments every command accepts (lsid, $db, readConcern…) are always allowed.
    /// </summary>
    public void Validate(IReadOnlySet<string> allowed)
    {
        foreach (var element in Body.Skip(1))
        {
            if (!allowed.Contains(element.Name) && !CommandOptions.Generic.Contains(element.Name))
            {
                throw CommandException.UnknownField(Name, element.Name);
            }
        }
        CommandOptions.RejectUnimplemented(Name, Body);
    }

    /// <summary>The statements of a write command, from the body array or the document sequence of the same name.</summary>
    public IEnumerable<BsonDocument> Statements(string name)
    {
        if (Sequences.TryGetValue(name, out var sequence))
        {
            return sequence.Select(s => MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(s.AsSpan().ToArray()));
        }
        return Body.TryGetValue(name, out var v) && v is BsonArray a ? a.Select(x => x.AsBsonDocument) : [];
    }
}
