using System.Globalization;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Cursors;

/// <summary>
/// Where an incremental_timestamp run resumes. MongoDB sorts a null or missing cursor field before every value,
/// so a run reads (1) documents without a cursor value, by <c>_id</c>, then (2) the rest by (field, <c>_id</c>).
/// Each phase keeps its own position: <see cref="NullId"/> for (1), (<see cref="Value"/>, <see cref="Id"/>) for (2).
/// Documents without the field are therefore copied once, and new ones (higher <c>_id</c>) on later runs, like incremental_id.
/// </summary>
/// <param name="NullId">The last document without a cursor value that was copied; null when none was.</param>
/// <param name="Value">The cursor value of the last document with one that was copied; null when none was.</param>
/// <param name="Id">The <c>_id</c> of that document.</param>
public sealed record TimestampCursor(BsonValue? NullId, BsonValue? Value, BsonValue? Id)
{
    private static readonly JsonWriterSettings Canonical = new() { OutputMode = JsonOutputMode.CanonicalExtendedJson, Indent = false };
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    public static TimestampCursor Start { get; } = new(null, null, null);

    /// <summary>Reads a stored checkpoint, including the <c>{v, _id}</c> ones of earlier versions (where <c>v: null</c> meant phase 1).</summary>
    public static TimestampCursor From(BsonDocument checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var nullId = checkpoint.TryGetValue("null_id", out var n) ? n : null;
        var value = checkpoint.TryGetValue("v", out var v) ? v : null;
        var id = checkpoint.TryGetValue("_id", out var i) ? i : null;
        if (value is { IsBsonNull: true })
        {
            (nullId, value, id) = (nullId ?? id, null, null);
        }

        return new TimestampCursor(nullId, value, value is null ? null : id);
    }

    /// <summary>Documents after this position: the rest of phase 1, then phase 2.</summary>
    public BsonDocument Filter(string field)
    {
        var withoutValue = NullId is null
            ? new BsonDocument(field, BsonNull.Value)
            : new BsonDocument { { field, BsonNull.Value }, { "_id", new BsonDocument("$gt", NullId) } };
        var clauses = new BsonArray { withoutValue };
        if (Value is null)
        {
            clauses.Add(new BsonDocument(field, new BsonDocument("$ne", BsonNull.Value)));
        }
        else
        {
            // $gt is type-bracketed: a date cursor matches later dates only, never nulls (those are phase 1's).
            clauses.Add(new BsonDocument(field, new BsonDocument("$gt", Value)));
            clauses.Add(new BsonDocument { { field, Value }, { "_id", new BsonDocument("$gt", Id ?? BsonMinKey.Value) } });
        }

        return new BsonDocument("$or", clauses);
    }

    /// <summary>The position after a batch: its last document without a cursor value and its last one with one (either may be null).</summary>
    public TimestampCursor Advance(string field, BsonDocument? lastWithoutValue, BsonDocument? lastWithValue) => Advance(
        lastWithoutValue?.GetValue("_id", BsonNull.Value),
        lastWithValue?.GetValue(field, BsonNull.Value),
        lastWithValue?.GetValue("_id", BsonNull.Value));

    /// <summary>
    /// The position after a batch, from the <c>_id</c> of its last document without a cursor value (<paramref name="nullId"/>)
    /// and the cursor value and <c>_id</c> of its last one with one; a null part leaves that phase where it was.
    /// </summary>
    public TimestampCursor Advance(BsonValue? nullId, BsonValue? value, BsonValue? id) => new(nullId ?? NullId, value ?? Value, value is null ? Id : id);

    public Checkpoint ToCheckpoint(string field)
    {
        var doc = new BsonDocument();
        var display = new List<string>();
        if (Value is not null)
        {
            doc.Add("v", Value).Add("_id", Id ?? BsonNull.Value);
            display.Add(string.Create(CultureInfo.InvariantCulture, $"{field} ≥ {Display(Value)}, _id > {(Id ?? BsonNull.Value).ToJson(Relaxed)}"));
        }

        if (NullId is not null)
        {
            doc.Add("null_id", NullId);
            display.Add($"without {field}: _id > {NullId.ToJson(Relaxed)}");
        }

        return new Checkpoint(doc.ToJson(Canonical), string.Join("; ", display));
    }

    /// <summary>Whether a raw document has a value (neither null nor missing) for the top-level <paramref name="field"/>.</summary>
    public static bool HasValue(ReadOnlySpan<byte> document, ReadOnlySpan<byte> field)
    {
        var reader = new BsonElementReader(document);
        while (reader.MoveNext())
        {
            if (reader.Current.Name.SequenceEqual(field))
            {
                return reader.Current.Type is not (BsonTypeCode.Null or BsonTypeCode.Undefined);
            }
        }

        return false;
    }

    public static byte[] FieldBytes(string field) => Encoding.UTF8.GetBytes(field);

    private static string Display(BsonValue value) =>
        value.IsValidDateTime ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : value.ToJson(Relaxed);
}
