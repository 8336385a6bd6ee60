using MongoDB.Bson;
using Zenith.Core.Bson;

namespace Zenith.Core.Cursors;

/// <summary>
/// What an incremental run reads after a <see cref="CursorState"/>, in one query sorted by the mode's order: the rest of every
/// part with a position (<c>$gt</c> inside its type bracket, and for ties on the value the <c>_id</c>s after it in MongoDB's
/// cross-type order) and every bracket with no position yet (<c>$type</c>; <c>{field: null}</c> for null and missing). Null when
/// nothing is positioned: everything is read.
/// </summary>
internal static class CursorFilter
{
    public static BsonDocument? ForIds(CursorState state) => Combine(IdClauses(null, state.Parts.Where(s => s.Key.Field is null)));

    public static BsonDocument? ForTimestamp(string field, CursorState state)
    {
        var clauses = new List<BsonDocument>();
        var unseen = new List<TypeBracket>();
        var positioned = false;
        foreach (var bracket in TypeBrackets.InOrder.Where(b => b != TypeBracket.Array))
        {
            if (bracket.IsSingleValued())
            {
                var selector = bracket == TypeBracket.Null
                    ? new BsonDocument(field, BsonNull.Value)
                    : new BsonDocument(field, new BsonDocument("$type", bracket.Name()));
                var byId = state.Parts.Where(s => s.Key.Field == bracket && s.Key.ById).ToList();
                var rest = IdClauses(selector, byId);
                if (rest is null)
                {
                    if (bracket == TypeBracket.Null)
                    {
                        clauses.Add(selector);
                    }
                    else
                    {
                        unseen.Add(bracket);
                    }

                    continue;
                }

                positioned = true;
                clauses.AddRange(rest);
                continue;
            }

            if (state.Find(new PartKey(bracket, null)) is not { HasPosition: true } part)
            {
                unseen.Add(bracket);
                continue;
            }

            positioned = true;
            var value = part.Value ?? BsonNull.Value;
            var id = part.Id!;
            clauses.Add(new BsonDocument(field, After(value)));
            var idBracket = TypeBrackets.Of(id);
            if (!idBracket.IsSingleValued())
            {
                clauses.Add(new BsonDocument { { field, new BsonDocument("$eq", value) }, { "_id", After(id) } });
            }

            var later = TypeBrackets.After(idBracket).Where(TypeBrackets.IsPossibleId).ToList();
            if (later.Count > 0)
            {
                clauses.Add(new BsonDocument { { field, new BsonDocument("$eq", value) }, { "_id", new BsonDocument("$type", TypeBrackets.TypeAliases(later)) } });
            }
        }

        if (!positioned)
        {
            return null;
        }

        if (unseen.Count > 0)
        {
            clauses.Add(new BsonDocument(field, new BsonDocument("$type", TypeBrackets.TypeAliases(unseen))));
        }

        return Combine(clauses);
    }

    /// <summary>
    /// The rest of the <c>_id</c> parts within <paramref name="selector"/> (a field bracket, or everything): after each position,
    /// and every <c>_id</c> bracket without one. Null when no part has a position (everything in the selector).
    /// </summary>
    private static List<BsonDocument>? IdClauses(BsonDocument? selector, IEnumerable<CursorPart> parts)
    {
        var positions = parts.Where(s => s.HasPosition).ToDictionary(s => s.Key.Id!.Value);
        if (positions.Count == 0)
        {
            return null;
        }

        var clauses = new List<BsonDocument>();
        var unseen = new List<TypeBracket>();
        foreach (var bracket in TypeBrackets.InOrder.Where(TypeBrackets.IsPossibleId))
        {
            if (!positions.TryGetValue(bracket, out var part))
            {
                unseen.Add(bracket);
            }
            else if (!bracket.IsSingleValued())
            {
                // A single-valued bracket holds one _id at most, and it was copied.
                clauses.Add(With(selector, "_id", After(part.Id!)));
            }
        }

        if (unseen.Count > 0)
        {
            clauses.Add(With(selector, "_id", new BsonDocument("$type", TypeBrackets.TypeAliases(unseen))));
        }

        return clauses;
    }

    /// <summary>Values after <paramref name="value"/> in its bracket. NaN sorts below every number but <c>$gt: NaN</c> matches nothing.</summary>
    private static BsonDocument After(BsonValue value) => IsNaN(value)
        ? new BsonDocument("$gte", double.NegativeInfinity)
        : new BsonDocument("$gt", value);

    private static bool IsNaN(BsonValue value) =>
        (value.BsonType == BsonType.Double && double.IsNaN(value.AsDouble)) || (value.BsonType == BsonType.Decimal128 && Decimal128.IsNaN(value.AsDecimal128));

    private static BsonDocument With(BsonDocument? selector, string name, BsonValue condition)
    {
        var doc = selector is null ? [] : new BsonDocument(selector);
        return doc.Add(name, condition);
    }

    private static BsonDocument? Combine(List<BsonDocument>? clauses) => clauses switch
    {
        null => null,
        [] => new BsonDocument("_id", new BsonDocument("$in", new BsonArray())),
        [var only] => only,
        _ => new BsonDocument("$or", new BsonArray(clauses)),
    };
}
