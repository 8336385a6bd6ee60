using System.Text;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>What the encoder does with a field no column names.</summary>
internal enum UnknownPolicy
{
    /// <summary>Ask for a schema change.</summary>
    Ask,

    /// <summary>Put it in <c>_zenith_extra</c>.</summary>
    Extra,

    /// <summary>Leave it out (outside the include rules).</summary>
    Skip,
}

/// <summary>A Nested group: the array's path node, and its members' columns by element field.</summary>
internal sealed class NestedGroup(PathNode members)
{
    /// <summary>A node whose children are the members (element fields), each with its column.</summary>
    public PathNode Members { get; } = members;

    /// <summary>The member columns and their element field names (UTF-8).</summary>
    public List<(int Column, byte[] Name)> Columns { get; } = [];
}

/// <summary>One path segment and what the encoder does with the value found there.</summary>
internal sealed class PathNode(byte[] name)
{
    private PathNode[] _children = [];

    public byte[] Name { get; } = name;

    /// <summary>The column holding the value at this path (-1 if none): a field's, or with <see cref="Whole"/> a map's or JSON's.</summary>
    public int Column { get; set; } = -1;

    /// <summary>Documents here are written whole into <see cref="Column"/>, never flattened.</summary>
    public bool Whole { get; set; }

    /// <summary>Arrays here are a Nested group (an index into <see cref="TableSchema.Groups"/>), -1 if not.</summary>
    public int Group { get; set; } = -1;

    /// <summary>Excluded by a rule: nothing here is stored.</summary>
    public bool Skip { get; set; }

    /// <summary>What happens to a child field no node names.</summary>
    public UnknownPolicy Unknown { get; set; }

    public bool HasChildren => _children.Length > 0;

    /// <summary>Finds a child; <paramref name="hint"/> makes documents with the usual field order cost one comparison per field.</summary>
    public PathNode? Find(ReadOnlySpan<byte> segment, ref int hint)
    {
        var children = _children;
        if ((uint)hint < (uint)children.Length && children[hint].Name.AsSpan().SequenceEqual(segment))
        {
            return children[hint++];
        }

        for (var i = 0; i < children.Length; i++)
        {
            if (children[i].Name.AsSpan().SequenceEqual(segment))
            {
                hint = i + 1;
                return children[i];
            }
        }

        return null;
    }

    public PathNode GetOrAdd(byte[] segment)
    {
        var hint = 0;
        var found = Find(segment, ref hint);
        if (found is not null)
        {
            return found;
        }

        var node = new PathNode(segment) { Unknown = Unknown == UnknownPolicy.Skip && !Skip ? UnknownPolicy.Skip : Unknown };
        _children = [.. _children, node];
        return node;
    }
}

/// <summary>Builds the encoder's path tree from the columns and the rules.</summary>
internal static class PathTree
{
    public static PathNode Build(IReadOnlyList<ColumnDef> columns, RuleSet rules, IReadOnlyList<string> openPaths, bool budgetFull, out NestedGroup[] groups)
    {
        var fallback = budgetFull ? UnknownPolicy.Extra : UnknownPolicy.Ask;
        var root = new PathNode([]) { Unknown = rules.Included.Count > 0 ? UnknownPolicy.Skip : fallback };
        foreach (var include in rules.Included)
        {
            var node = root;
            foreach (var segment in include)
            {
                node = Child(node, segment);
            }

            node.Unknown = fallback;
        }

        foreach (var exclude in rules.Excluded)
        {
            Walk(root, exclude).Skip = true;
        }

        foreach (var open in openPaths)
        {
            Walk(root, open.Split('\0')).Unknown = UnknownPolicy.Extra;
        }

        var groupList = new List<NestedGroup>();
        var byGroup = new Dictionary<PathNode, NestedGroup>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.Role is ColumnRole.Extra or ColumnRole.Document)
            {
                continue;
            }

            var node = Walk(root, column.Path);
            if (column.Role == ColumnRole.Nested)
            {
                if (!byGroup.TryGetValue(node, out var group))
                {
                    group = new NestedGroup(new PathNode([]) { Unknown = fallback });
                    byGroup[node] = group;
                    node.Group = groupList.Count;
                    groupList.Add(group);
                }

                var member = Child(group.Members, column.Member is [var field] ? field : string.Join('.', column.Member ?? []));
                member.Column = i;
                group.Columns.Add((i, member.Name));
                continue;
            }

            node.Column = i;
            node.Whole = column.TakesWholeValue || rules.For(column.Path)?.Action == FieldAction.Type;
        }

        groups = [.. groupList];
        return root;
    }

    private static PathNode Walk(PathNode root, IEnumerable<string> path)
    {
        var node = root;
        foreach (var segment in path)
        {
            node = Child(node, segment);
        }

        return node;
    }

    private static PathNode Child(PathNode node, string segment) => node.GetOrAdd(Encoding.UTF8.GetBytes(segment));
}
