namespace Zenith.Core.Mapping;

/// <summary>
/// Column names for new columns, in an order that depends on the paths only, never on the order documents came in: renamed
/// paths first, then a path whose name needs no joining or escaping (field <c>a_b</c> keeps <c>a_b</c> before path <c>a.b</c>
/// or field <c>"a.b"</c> gets it), then shorter paths, then by path. A taken name gets <c>_2</c>, <c>_3</c>… The columns keep the
/// order they came in.
/// </summary>
internal static class Naming
{
    public static List<ColumnDef> Assign(IReadOnlyList<Candidate> candidates, HashSet<string> names, string separator, IEnumerable<ColumnDef> existing)
    {
        // A new member of an existing Nested group joins its group: same prefix, so ClickHouse keeps their lengths together.
        var groups = existing.Where(c => c.Role == ColumnRole.Nested && c.Name.Contains('.', StringComparison.Ordinal))
            .GroupBy(c => RuleSet.Key(c.Path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name[..g.First().Name.IndexOf('.', StringComparison.Ordinal)], StringComparer.Ordinal);
        var prefixes = new HashSet<string>(names.Where(n => n.Contains('.', StringComparison.Ordinal)).Select(n => n[..n.IndexOf('.', StringComparison.Ordinal)]), StringComparer.Ordinal);
        var ordered = candidates
            .OrderBy(c => c.Rename is null)
            .ThenBy(c => c.Column.Path.Count == 1 && MappingRules.ColumnName(c.Column.Path, separator) == c.Column.Path[0] ? 0 : 1)
            .ThenBy(c => c.Column.Path.Count)
            .ThenBy(c => RuleSet.Key(c.Column.Path), StringComparer.Ordinal)
            .ThenBy(c => RuleSet.Key(c.Column.Member ?? []), StringComparer.Ordinal)
            .ToList();
        var named = new Dictionary<Candidate, ColumnDef>(ReferenceEqualityComparer.Instance);
        foreach (var candidate in ordered)
        {
            var column = candidate.Column;
            string name;
            if (column.Role == ColumnRole.Nested)
            {
                var unit = RuleSet.Key(column.Path);
                if (!groups.TryGetValue(unit, out var group))
                {
                    group = Unique(MappingRules.ColumnName(column.Path, separator), n => !prefixes.Contains(n) && !names.Contains(n));
                    prefixes.Add(group);
                    groups[unit] = group;
                }

                name = Unique(group + "." + MappingRules.ColumnName(column.Member!, separator), n => !names.Contains(n));
            }
            else
            {
                name = Unique(candidate.Rename ?? MappingRules.ColumnName(column.Path, separator), n => !names.Contains(n) && !prefixes.Contains(n));
            }

            names.Add(name);
            named[candidate] = column with { Name = name };
        }

        // Named in that order, placed in the order given (the documents' field order).
        return [.. candidates.Select(c => named[c])];
    }

    private static string Unique(string name, Func<string, bool> free)
    {
        var candidate = name;
        for (var n = 2; !free(candidate); n++)
        {
            candidate = $"{name}_{n}";
        }

        return candidate;
    }
}
