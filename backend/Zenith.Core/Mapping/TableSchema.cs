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

    /// <summary>The <c>_id</c>'s type bracket (see <see cref="KeyColumns"/>); tables made before it existed lack it.</summary>
    public const string IdTypeColumn = "_zenith_id_type";

    /// <summary>The columns every table has besides its data (a table of an older Zenith may lack the last): never a field's name.</summary>
    public static readonly IReadOnlyList<string> MetadataColumns = [IdColumn, SyncedAtColumn, VersionColumn, IdTypeColumn];

    /// <summary>1 for a tombstone (the document was deleted), 0 otherwise; only in change-stream tables (see <see cref="IsChangeLog"/>).</summary>
    public const string DeletedColumn = "_zenith_is_deleted";

    /// <summary>Every name Zenith writes besides data: the metadata columns and a change-stream table's tombstone flag.</summary>
    public static readonly IReadOnlyList<string> ReservedColumns = [.. MetadataColumns, DeletedColumn];

    private readonly bool[] _keys;
    private readonly bool[] _pinned;

    private TableSchema(IReadOnlyList<ColumnDef> columns, MappingOptions options, int typeGeneration, IEnumerable<string> openPaths, IEnumerable<string> keyColumns, bool hasIdType, bool isChangeLog)
    {
        IsChangeLog = isChangeLog;
        IsChangeLog = isChangeLog;
        Columns = columns;
        Options = options;
        TypeGeneration = typeGeneration;
        OpenPaths = [.. openPaths];
        Types = [.. columns.Select(c => c.Type)];
        Roles = [.. columns.Select(c => c.Role)];
        ExactTypes = [.. columns.Select(c => c.Role == ColumnRole.Field && c.Type.Shape == ColumnShape.Scalar ? ExactType(c.Type.Kind) : (byte)0)];
        HasIdType = hasIdType;
        InsertColumns = (hasIdType, isChangeLog) switch
        {
            (true, true) => [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn, IdTypeColumn, DeletedColumn],
            (true, false) => [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn, IdTypeColumn],
            (false, true) => [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn, DeletedColumn],
            _ => [IdColumn, .. columns.Select(c => c.Name), SyncedAtColumn, VersionColumn],
        };
        ExtraIndex = columns.ToList().FindIndex(c => c.Role == ColumnRole.Extra);
        var rules = new RuleSet(options.Rules);
        var keys = new HashSet<string>(keyColumns, StringComparer.Ordinal);
        _keys = [.. columns.Select(c => keys.Contains(c.Name))];
        _pinned = [.. columns.Select((c, i) => _keys[i] || (c.Role == ColumnRole.Field && rules.For(c.Path)?.Action == FieldAction.Type))];
        BudgetFull = columns.Count + MetadataColumns.Count + (isChangeLog ? 1 : 0) >= options.MaxColumns;
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

    /// <summary>
    /// A change-stream table: <c>ReplacingMergeTree(_zenith_version, _zenith_is_deleted)</c> with a <c>UInt128</c> version (the
    /// event's cluster time and an ordinal) and a tombstone flag written after the other metadata columns.
    /// </summary>
    public bool IsChangeLog { get; }

    public IReadOnlyList<ColumnDef> Columns { get; }

    /// <summary>The mapping options the tree was built with.</summary>
    public MappingOptions Options { get; }

    /// <summary>Whether the table has <see cref="IdTypeColumn"/> (the encoder writes it last).</summary>
    public bool HasIdType { get; }

    /// <summary>The data columns in the table's sorting or partition key: never widened.</summary>
    public IEnumerable<string> KeyColumnNames => Columns.Where((_, i) => _keys[i]).Select(c => c.Name);

    /// <summary>In the sorting or partition key (a value that does not fit it goes to <c>_zenith_extra</c> and is reported).</summary>
    public bool IsKeyColumn(int column) => _keys[column];

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

    /// <param name="columns">The data columns.</param>
    /// <param name="options">The mapping rules (default <see cref="MappingOptions.Default"/>).</param>
    /// <param name="typeGeneration">See <see cref="TypeGeneration"/>.</param>
    /// <param name="openPaths">See <see cref="OpenPaths"/>.</param>
    /// <param name="keyColumns">The data columns in its sorting or partition key.</param>
    /// <param name="hasIdType">The table has <see cref="IdTypeColumn"/>.</param>
    /// <param name="isChangeLog">The table is a change-stream table (<see cref="IsChangeLog"/>).</param>
    public static TableSchema Create(
        IReadOnlyList<ColumnDef> columns,
        MappingOptions? options = null,
        int typeGeneration = 0,
        IEnumerable<string>? openPaths = null,
        IEnumerable<string>? keyColumns = null,
        bool hasIdType = false,
        bool isChangeLog = false) =>
        new(columns, options ?? MappingOptions.Default, typeGeneration, openPaths ?? [], keyColumns ?? [], hasIdType, isChangeLog);

    /// <summary>
    /// The same columns and rules with the table's key: its key columns (from system.columns for a table that exists, from the
    /// connector's ORDER BY and PARTITION BY for one about to be made, see <see cref="KeyColumns.Pinned"/>) and whether it has
    /// <see cref="IdTypeColumn"/>.
    /// </summary>
    public TableSchema WithKey(IEnumerable<string> keyColumns, bool hasIdType) => new(Columns, Options, TypeGeneration, OpenPaths, keyColumns, hasIdType, IsChangeLog);

    /// <summary>The same schema as a change-stream table's (<see cref="IsChangeLog"/>) or not.</summary>
    public TableSchema AsChangeLog(bool isChangeLog) =>
        isChangeLog == IsChangeLog ? this : new(Columns, Options, TypeGeneration, OpenPaths, KeyColumnNames, HasIdType, isChangeLog);
}
