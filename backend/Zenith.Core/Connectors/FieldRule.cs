namespace Zenith.Core.Connectors;

/// <summary>What a field rule does to the sub-tree at its path.</summary>
public enum FieldAction
{
    /// <summary>Not stored at all (PII, blobs).</summary>
    Exclude,

    /// <summary>With one or more include rules, only these paths (and <c>_id</c>) are stored.</summary>
    Include,

    /// <summary>The sub-tree is one JSON column, never flattened.</summary>
    Json,

    /// <summary>The sub-document is one <c>Map(String, T)</c> column (one JSON column when its values differ in type).</summary>
    Map,

    /// <summary>The sub-document is flattened into columns even when its keys look like data.</summary>
    Flatten,

    /// <summary>The value's column has the type in <see cref="FieldRule.Value"/>; values that do not fit go to <c>_zenith_extra</c>.</summary>
    Type,

    /// <summary>The value's column is named <see cref="FieldRule.Value"/>.</summary>
    Rename,
}

/// <summary>
/// One rule of a connector's mapping: a dotted document path (<c>address.geo</c>; a field whose name holds a dot cannot be
/// named here) and what to do with it. <paramref name="Value"/> is the type of a <see cref="FieldAction.Type"/> rule
/// (<c>String</c>, <c>Int64</c>, <c>Float64</c>, <c>Bool</c>, <c>DateTime64</c>, <c>UUID</c>, <c>JSON</c>) or the column name of a
/// <see cref="FieldAction.Rename"/> rule.
/// </summary>
public sealed record FieldRule(string Path, FieldAction Action, string? Value = null)
{
    /// <summary>The path's segments.</summary>
    public IReadOnlyList<string> Segments => Path.Split('.');
}

/// <summary>Byte orders of binary subtype 3 UUIDs, as the drivers that wrote them used them.</summary>
public enum LegacyUuid
{
    /// <summary>Subtype 3 stays base64 text.</summary>
    None,

    /// <summary>The .NET driver's legacy order.</summary>
    CSharp,

    /// <summary>The Java driver's legacy order.</summary>
    Java,

    /// <summary>The Python driver's legacy order (the bytes as they are).</summary>
    Python,
}
