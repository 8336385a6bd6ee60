namespace Zenith.Core.Mapping;

/// <summary>The paths the starting schema already has columns for.</summary>
internal sealed class ExistingColumns
{
    public ExistingColumns(TableSchema start)
    {
        for (var i = 0; i < start.Columns.Count; i++)
        {
            var column = start.Columns[i];
            var key = RuleSet.Key(column.Path);
            switch (column.Role)
            {
                case ColumnRole.Field:
                    Fields[key] = i;
                    break;
                case ColumnRole.Map or ColumnRole.Json:
                    Whole[key] = i;
                    break;
                case ColumnRole.Nested:
                    if (!Groups.TryGetValue(key, out var members))
                    {
                        Groups[key] = members = new Dictionary<string, int>(StringComparer.Ordinal);
                    }

                    members[string.Join('\0', column.Member ?? [])] = i;
                    break;
                default:
                    continue;
            }

            for (var n = 1; n < column.Path.Count; n++)
            {
                Interior.Add(RuleSet.Key(column.Path.Take(n)));
            }
        }
    }

    public Dictionary<string, int> Fields { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Whole { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, int>> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths with columns below them (sub-documents flattened before).</summary>
    public HashSet<string> Interior { get; } = new(StringComparer.Ordinal);
}
