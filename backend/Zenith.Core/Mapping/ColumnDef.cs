namespace Zenith.Core.Mapping;

/// <summary>What a column holds, and so how a document's value is written into it.</summary>
public enum ColumnRole
{
    /// <summary>The value at one path: a scalar, or an array of one scalar kind.</summary>
    Field,

    /// <summary>A sub-document whose keys are data, as <c>Map(String, T)</c>.</summary>
    Map,

    /// <summary>One field of the documents of an array: a member of a Nested group (<c>scores.type</c>).</summary>
    Nested,

    /// <summary>A sub-tree kept whole as JSON (ClickHouse's <c>JSON</c> type, or String holding JSON).</summary>
    Json,

    /// <summary><c>_zenith_extra</c>: every value that has no column of its own, or does not fit its column, under its path.</summary>
    Extra,

    /// <summary><c>_zenith_doc</c>: the whole document.</summary>
    Document,
}

/// <summary>
/// A data column: its ClickHouse name and type, the document path it comes from, what it holds (<see cref="Role"/>), for a
/// Nested member the path inside the array's documents, and why it was made this way (shown in the preview and the comment).
/// </summary>
public sealed record ColumnDef(string Name, ColumnType Type, IReadOnlyList<string> Path, ColumnRole Role = ColumnRole.Field, IReadOnlyList<string>? Member = null, string? Reason = null)
{
    /// <summary>The path as people read it (<c>address.city</c>; a Nested member <c>scores[].type</c>).</summary>
    public string SourcePath => Member is null ? string.Join('.', Path) : string.Join('.', Path) + "[]." + string.Join('.', Member);

    /// <summary>The preview's word for what the column is: scalar, array, map, nested, json, overflow or document.</summary>
    public string KindText => Role switch
    {
        ColumnRole.Field => Type.IsArray ? "array" : "scalar",
        ColumnRole.Map => "map",
        ColumnRole.Nested => "nested",
        ColumnRole.Json => "json",
        ColumnRole.Extra => "overflow",
        _ => "document",
    };

    /// <summary>Whether a document's value at <see cref="Path"/> is written whole (map, JSON, a forced type), never flattened.</summary>
    public bool TakesWholeValue => Role is ColumnRole.Map or ColumnRole.Json;
}

/// <summary>What changed between two schemas: the DDL the table needs.</summary>
/// <param name="AddAfter">For each added column, the column it follows (ClickHouse has AFTER, not BEFORE), in the order the ALTER adds them.</param>
public sealed record SchemaChange(IReadOnlyList<ColumnDef> Added, IReadOnlyList<ColumnDef> Widened, IReadOnlyList<string> AddAfter)
{
    public bool IsEmpty => Added.Count == 0 && Widened.Count == 0;
}
