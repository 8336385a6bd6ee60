using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>A connector's field rules, looked up by path: what the schema builder and the table's path tree ask.</summary>
public sealed class RuleSet
{
    private readonly Dictionary<string, FieldRule> _byPath = new(StringComparer.Ordinal);
    private readonly List<string[]> _excluded = [];
    private readonly List<string[]> _included = [];

    public RuleSet(IReadOnlyList<FieldRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules)
        {
            var segments = rule.Path.Split('.');
            switch (rule.Action)
            {
                case FieldAction.Exclude:
                    _excluded.Add(segments);
                    break;
                case FieldAction.Include:
                    _included.Add(segments);
                    break;
                case FieldAction.Rename:
                    Renames[Key(segments)] = rule.Value ?? string.Empty;
                    break;
                default:
                    _byPath[Key(segments)] = rule;
                    break;
            }
        }
    }

    /// <summary>Column names given by rename rules, by path key.</summary>
    public Dictionary<string, string> Renames { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string[]> Excluded => _excluded;

    public IReadOnlyList<string[]> Included => _included;

    public static string Key(IEnumerable<string> path) => string.Join('\0', path);

    /// <summary>The json, map, flatten or type rule of exactly this path.</summary>
    public FieldRule? For(IReadOnlyList<string> path) => _byPath.GetValueOrDefault(Key(path));

    public string? RenameOf(IReadOnlyList<string> path) => Renames.GetValueOrDefault(Key(path));

    /// <summary>Whether the value at <paramref name="path"/> is stored at all (not under an exclude; inside an include when there are some).</summary>
    public bool Keeps(IReadOnlyList<string> path) =>
        !_excluded.Exists(e => IsPrefix(e, path)) && (_included.Count == 0 || _included.Exists(i => IsPrefix(i, path)));

    /// <summary>Whether a document at <paramref name="path"/> may hold kept paths (it is kept, or an include lies below it).</summary>
    public bool MayHoldKept(IReadOnlyList<string> path) =>
        Keeps(path) || (!_excluded.Exists(e => IsPrefix(e, path)) && _included.Exists(i => IsPrefix(path, i)));

    private static bool IsPrefix(IReadOnlyList<string> prefix, IReadOnlyList<string> path)
    {
        if (prefix.Count > path.Count)
        {
            return false;
        }

        for (var i = 0; i < prefix.Count; i++)
        {
            if (!string.Equals(prefix[i], path[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
