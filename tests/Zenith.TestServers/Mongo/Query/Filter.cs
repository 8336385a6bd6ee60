using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A compiled query filter: implicit equality, the operators of <see cref="Predicate"/>, and
/// <c>$and $or $nor $comment $alwaysTrue $alwaysFalse</c>. Operators MongoDB has and this server
/// lacks (<c>$expr $where $text $jsonSchema</c>…) answer NotImplemented.
/// </summary>
internal abstract class Filter
{
    public abstract bool Matches<TSource>(TSource source)
        where TSource : IFieldSource;

    /// <summary>Compiles a filter document; null or empty means "match everything" and yields null.</summary>
    public static Filter? Compile(BsonDocument? filter)
    {
        if (filter is null || filter.ElementCount == 0)
        {
            return null;
        }
        var parts = new List<Filter>();
        foreach (var element in filter)
        {
            switch (element.Name)
            {
                case "$and":
                    parts.Add(new AllOf(CompileList(element)));
                    break;
                case "$or":
                    parts.Add(new AnyOf(CompileList(element)));
                    break;
                case "$nor":
                    parts.Add(new NoneOf(CompileList(element)));
                    break;
                case "$comment":
                    break;
                case "$alwaysTrue":
                    parts.Add(MatchAll.Instance);
                    break;
                case "$alwaysFalse":
                    parts.Add(new NoneOf([MatchAll.Instance]));
                    break;
                case "$expr" or "$where" or "$text" or "$jsonSchema" or "$sampleRate":
                    throw CommandException.NotImplemented($"the {element.Name} query operator is not supported by this test server");
                default:
                    if (element.Name.StartsWith('$'))
                    {
                        throw CommandException.BadValue($"unknown top level operator: {element.Name}");
                    }
                    parts.Add(new FieldFilter(new FieldPath(element.Name), Predicate.CompileValue(element.Value)));
                    break;
            }
        }
        return parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => new AllOf(parts),
        };
    }

    private static List<Filter> CompileList(BsonElement element)
    {
        if (element.Value is not BsonArray array || array.Count == 0)
        {
            throw CommandException.BadValue($"{element.Name} must be a nonempty array");
        }
        return [.. array.Select(v => v is BsonDocument d
            ? Compile(d) ?? MatchAll.Instance
            : throw CommandException.BadValue($"{element.Name} argument's entries must be objects"))];
    }

    private sealed class MatchAll : Filter
    {
        public static readonly MatchAll Instance = new();

        public override bool Matches<TSource>(TSource source) => true;
    }

    private sealed class AllOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (!part.Matches(source))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private sealed class AnyOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (part.Matches(source))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private sealed class NoneOf(List<Filter> parts) : Filter
    {
        public override bool Matches<TSource>(TSource source)
        {
            foreach (var part in parts)
            {
                if (part.Matches(source))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private sealed class FieldFilter(FieldPath path, Predicate predicate) : Filter
    {
        [ThreadStatic]
        private static List<BsonValue>? t_scratch;

        public override bool Matches<TSource>(TSource source)
        {
            var values = t_scratch ?? [];
            t_scratch = null;
            try
            {
                values.Clear();
                // Leaf arrays stay whole: each predicate decides whether it looks at their elements.
                path.Collect(source, values, expandLeafArrays: false);
                return predicate.Test(values);
            }
            finally
            {
                values.Clear();
                t_scratch = values;
            }
        }
    }
}

