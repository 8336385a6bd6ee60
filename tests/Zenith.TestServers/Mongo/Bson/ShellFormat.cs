using System.Globalization;
using MongoDB.Bson;

namespace Zenith.TestServers.Mongo.Bson;

/// <summary>Values written as mongod writes them into error messages: <c>{ _id: "a" }</c>, <c>ObjectId('…')</c>.</summary>
internal static class ShellFormat
{
    public static string Document(BsonDocument document) =>
        document.ElementCount == 0 ? "{}" : "{ " + string.Join(", ", document.Select(e => e.Name + ": " + Value(e.Value))) + " }";

    public static string Value(BsonValue value) => value switch
    {
        BsonString s => "\"" + s.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        BsonObjectId o => $"ObjectId('{o.Value}')",
        BsonInt32 i => i.Value.ToString(CultureInfo.InvariantCulture),
        BsonInt64 l => l.Value.ToString(CultureInfo.InvariantCulture),
        BsonDouble d => d.Value.ToString("R", CultureInfo.InvariantCulture),
        BsonDecimal128 m => $"NumberDecimal(\"{m.Value}\")",
        BsonDocument d => Document(d),
        BsonArray a => "[ " + string.Join(", ", a.Select(Value)) + " ]",
        BsonDateTime t => $"new Date({t.MillisecondsSinceEpoch.ToString(CultureInfo.InvariantCulture)})",
        BsonNull => "null",
        BsonUndefined => "undefined",
        BsonBoolean b => b.Value ? "true" : "false",
        BsonTimestamp ts => $"Timestamp({(uint)ts.Timestamp}, {(uint)ts.Increment})",
        BsonMinKey => "MinKey",
        BsonMaxKey => "MaxKey",
        _ => value.ToJson(),
    };
}
