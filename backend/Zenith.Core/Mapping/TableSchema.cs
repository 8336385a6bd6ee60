using System.Text;

namespace Zenith.Core.Mapping;

/// <summary>
/// The columns of a destination table (besides <c>_id</c> and the metadata columns), immutable.
/// Holds a tree of UTF-8 path segments so the encoder finds a field's column without allocating.
/// </summary>
public sealed class TableSchema
{
    public const string IdColumn = "_id";
    public const string SyncedAtColumn = "_zenith_synced_at";
    public const string VersionColumn = "_zenith_version";

    /// <summary>The <c>_id</c>'s type bracket (see <see cref="KeyColumns"/>); tables made before it existed lack it.</summary>
    public const string IdTypeColumn = "_zenith_id_type";

    private readonly bool[] keyColumns;

    private TableSchema(IReadOnlyList<ColumnDef> columns, int typeGeneration, bool hasIdType, IEnumerable<string>? keyColumnNames)
    {
        Columns = columns;
        TypeGeneration = typeGeneration;
        HasIdType = hasIdType;
        var keys = new HashSet<string>(keyColumnNames ?? [], StringComparer.Ordinal);
        keyColumns = [.. columns.Select(c => keys.Contains(c.Name))];
        Root = new PathNode([]);
        for (var i = 0; i < columns.Count; i++)
        {
            var node = Root;
            foreach (var segment in columns[i].Path)
            {
                node = node.GetOrAdd(Encoding.UTF8.GetBytes(segment));
            }

            node.Column = i;
        }

        Types = [.. columns.Select(c => c.Type)];
        InsertColumns = hasIdType
            ? [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn, IdTypeColumn]
            : [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn];
    }

    public static TableSchema Empty { get; } = new([], 0, false, null);

    public IReadOnlyList<ColumnDef> Columns { get; }

    /// <summary>Whether the table has <see cref="IdTypeColumn"/> (the encoder writes it last).</summary>
    public bool HasIdType { get; }

    /// <summary>The data columns in the table's sorting or partition key (never widened).</summary>
    public IEnumerable<string> KeyColumnNames => Columns.Where((_, i) => keyColumns[i]).Select(c => c.Name);

    public bool IsKeyColumn(int column) => keyColumns[column];

    /// <summary>Grows whenever a column's type widens; an encoding made with an older generation must be redone.</summary>
    public int TypeGeneration { get; }

    /// <summary>Every column in the order the encoder writes them.</summary>
    public IReadOnlyList<string> InsertColumns { get; }

    internal PathNode Root { get; }

    /// <summary>The column types by index, for the encoder's loops.</summary>
    internal ColumnType[] Types { get; }

    /// <param name="hasIdType">The table has <see cref="IdTypeColumn"/>.</param>
    /// <param name="keyColumns">The data columns in its sorting or partition key.</param>
    public static TableSchema Create(IReadOnlyList<ColumnDef> columns, int typeGeneration = 0, bool hasIdType = false, IEnumerable<string>? keyColumns = null) =>
        new(columns, typeGeneration, hasIdType, keyColumns);
}

/// <summary>One path segment; <see cref="Column"/> is the column holding the value at this path (-1 if none).</summary>
internal sealed class PathNode(byte[] name)
{
    private PathNode[] _children = [];

    public byte[] Name { get; } = name;

    public int Column { get; set; } = -1;

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

        var node = new PathNode(segment);
        _children = [.. _children, node];
        return node;
    }
}
