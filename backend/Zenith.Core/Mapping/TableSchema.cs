using System.Text;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// The columns of a destination table (besides <c>_id</c> and the metadata columns), immutable, with the connector's mapping
/// rules applied to a tree of UTF-8 path segments, so the encoder finds each field's column (or that it is excluded, or goes to
/// <c>_zenith_extra</c>) without allocating.
/// </summary>
public sealed class TableSchema
{
    public const string IdColumn = "_id";
    public const string SyncedAtColumn = "_zenith_synced_at";
    public const string VersionColumn = "_zenith_version";
    public const string ExtraColumn = "_zenith_extra";
    public const string DocumentColumn = "_zenith_doc";

    /// <summary>The columns every table has besides its data: never a field's name.</summary>
    public static readonly IReadOnlyList<string> MetadataColumns = [IdColumn, SyncedAtColumn, VersionColumn];

    private readonly bool[] _pinned;

    private TableSchema(IReadOnlyList<ColumnDef> columns, MappingOptions options, int typeGeneration, IEnumerable<string> openPaths, IReadOnlySet<string> keyColumns)
    {
        Columns = columns;
        Options = options;
        TypeGeneration = typeGeneration;
        OpenPaths = [.. openPaths];
        Types = [.. columns.Select(c => c.Type)];
        Roles = [.. columns.Select(c => c.Role)];
        ExactTypes = [.. columns.Select(c => c.Role == ColumnRole.Field && c.Type.Shape == ColumnShape.Scalar ? ExactType(c.Type.Kind) : (byte)0)];
        InsertColumns = [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn];
        ExtraIndex = columns.ToList().FindIndex(c => c.Role == ColumnRole.Extra);
        var rules = new RuleSet(options.Rules);
        _pinned = [.. columns.Select(c => keyColumns.Contains(c.Name) || (c.Role == ColumnRole.Field && rules.For(c.Path)?.Action == FieldAction.Type))];
        BudgetFull = columns.Count + MetadataColumns.Count >= options.MaxColumns;
        Root = PathTree.Build(columns, rules, OpenPaths, BudgetFull, out var groups);
        Groups = groups;
        _memberGroups = new int[columns.Count];
        _memberNames = new byte[columns.Count][];
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var (column, name) in groups[g].Columns)
            {
                _memberGroups[column] = g;
                _memberNames[column] = name;
            }
        }
    }

    private readonly int[] _memberGroups;
    private readonly byte[][] _memberNames;

    /// <summary>The Nested group of a member column.</summary>
    internal int MemberGroup(int column) => _memberGroups[column];

    /// <summary>The element field (UTF-8) a member column holds.</summary>
    internal ReadOnlySpan<byte> MemberName(int column) => _memberNames[column];

    public static TableSchema Empty { get; } = Create([], MappingOptions.Default);

    public IReadOnlyList<ColumnDef> Columns { get; }

    /// <summary>The mapping options the tree was built with.</summary>
    public MappingOptions Options { get; }

    /// <summary>Grows whenever a column's type widens; an encoding made with an older generation must be redone.</summary>
    public int TypeGeneration { get; }

    /// <summary>Sub-documents flattened before whose new keys go to <c>_zenith_extra</c> (path keys, segments joined by NUL).</summary>
    public IReadOnlyList<string> OpenPaths { get; }

    /// <summary>The table has as many columns as its budget allows: new paths go to <c>_zenith_extra</c>.</summary>
    public bool BudgetFull { get; }

    /// <summary>Some column has ClickHouse's <c>JSON</c> type: inserts need <see cref="Ddl.JsonInsertSettings"/>.</summary>
    public bool HasJsonColumns => Columns.Any(c => c.Type.Kind == ColumnKind.Json);

    /// <summary>Every column in the order the encoder writes them.</summary>
    public IReadOnlyList<string> InsertColumns { get; }

    internal PathNode Root { get; }

    /// <summary>The column types and roles by index, for the encoder's loops.</summary>
    internal ColumnType[] Types { get; }

    internal ColumnRole[] Roles { get; }

    /// <summary>
    /// For each scalar field column, the BSON type whose values always fit it as they are (an Int32 for Int32, a Double for
    /// Float64…; dates still need their range checked): the encoder's common path takes it without asking <see cref="TypeFit"/>.
    /// 0 where there is none.
    /// </summary>
    internal byte[] ExactTypes { get; }

    private static byte ExactType(ColumnKind kind) => kind switch
    {
        ColumnKind.Int32 => Bson.BsonTypeCode.Int32,
        ColumnKind.Int64 => Bson.BsonTypeCode.Int64,
        ColumnKind.Float64 => Bson.BsonTypeCode.Double,
        ColumnKind.Bool => Bson.BsonTypeCode.Boolean,
        ColumnKind.DateTime64 => Bson.BsonTypeCode.DateTime,
        ColumnKind.UInt64 => Bson.BsonTypeCode.Timestamp,
        _ => 0,
    };

    internal NestedGroup[] Groups { get; }

    /// <summary>The index of <c>_zenith_extra</c>, or -1 (a table of an older Zenith, until its next run adds it).</summary>
    internal int ExtraIndex { get; }

    /// <summary>A key column (ORDER BY, PARTITION BY) or a column of a type rule: never widened, values that do not fit go to <c>_zenith_extra</c>.</summary>
    public bool IsPinned(int column) => _pinned[column];

    public bool HasColumn(ColumnRole role) => Columns.Any(c => c.Role == role);

    public static TableSchema Create(IReadOnlyList<ColumnDef> columns, MappingOptions options, int typeGeneration = 0, IEnumerable<string>? openPaths = null, IReadOnlySet<string>? keyColumns = null) =>
        new(columns, options, typeGeneration, openPaths ?? [], keyColumns ?? new HashSet<string>([IdColumn]));

    /// <summary>The same columns and rules with these key columns pinned.</summary>
    public TableSchema WithKeyColumns(IReadOnlySet<string> keyColumns) => new(Columns, Options, TypeGeneration, OpenPaths, keyColumns);
}

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
