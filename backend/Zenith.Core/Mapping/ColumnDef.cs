namespace Zenith.Core.Mapping;

/// <summary>A data column: its ClickHouse name, type and the document path it comes from.</summary>
public sealed record ColumnDef(string Name, ColumnType Type, IReadOnlyList<string> Path)
{
    /// <summary>The path as people read it (<c>address.city</c>).</summary>
    public string SourcePath => string.Join('.', Path);
}

/// <summary>What changed between two schemas: the DDL the table needs.</summary>
/// <param name="AddAfter">The existing column the added ones follow (ClickHouse has AFTER, not BEFORE); null means <c>_id</c>.</param>
public sealed record SchemaChange(IReadOnlyList<ColumnDef> Added, IReadOnlyList<ColumnDef> Widened, string? AddAfter = null)
{
    public bool IsEmpty => Added.Count == 0 && Widened.Count == 0;
}
