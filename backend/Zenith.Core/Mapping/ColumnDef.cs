namespace Zenith.Core.Mapping;

/// <summary>A data column: its ClickHouse name, type and the document path it comes from.</summary>
public sealed record ColumnDef(string Name, ColumnType Type, IReadOnlyList<string> Path)
{
    /// <summary>The path as people read it (<c>address.city</c>).</summary>
    public string SourcePath => string.Join('.', Path);
}

/// <summary>What changed between two schemas: the DDL the table needs.</summary>
public sealed record SchemaChange(IReadOnlyList<ColumnDef> Added, IReadOnlyList<ColumnDef> Widened)
{
    public bool IsEmpty => Added.Count == 0 && Widened.Count == 0;
}
