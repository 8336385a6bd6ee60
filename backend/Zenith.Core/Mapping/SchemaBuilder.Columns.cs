namespace Zenith.Core.Mapping;

/// <summary>The builder's columns of more than one field: JSON sub-trees, maps, forced types, Nested groups, and their growth in an existing table.</summary>
public sealed partial class SchemaBuilder
{
    private void AddJson(List<string> path, PathStats stats, string reason)
    {
        var onlyDocuments = stats.Scalars == 0 && stats.OtherArrays == 0 && stats.DocumentArrays == 0;
        var type = _features.JsonType && onlyDocuments ? ColumnType.Json : ColumnType.String;
        Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Json, Reason: reason), stats.Present, RuleSet.Key(path));
    }

    private void AddMap(List<string> path, PathStats stats, string reason)
    {
        if (SchemaDecisions.MapValueKind(stats) is not { } kind || stats.Scalars + stats.OtherArrays + stats.DocumentArrays > 0)
        {
            AddJson(path, stats, reason + "; values of several types or shapes: one JSON column");
            return;
        }

        var type = new ColumnType(kind, ColumnShape.Map);
        Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Map, Reason: reason), stats.Present, RuleSet.Key(path));
    }

    private void AddForced(List<string> path, PathStats stats, string typeName)
    {
        if (MappingRules.ForcedType(typeName) is not { } type)
        {
            return;
        }

        if (type.Kind == ColumnKind.Json)
        {
            AddJson(path, stats, "rule: type JSON");
            return;
        }

        Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Field, Reason: $"rule: type {typeName}"), stats.Present, RuleSet.Key(path));
    }

    private void AddNested(List<string> path, PathStats stats)
    {
        var key = RuleSet.Key(path);
        foreach (var (name, member) in stats.Elements!.Children)
        {
            var type = new ColumnType(SchemaDecisions.MemberKind(member), ColumnShape.Nested);
            Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Nested, [name], "array of documents of one shape: a Nested group, ARRAY JOIN works"), stats.Present, key);
        }
    }

    private void EvolveMap(int index, PathStats stats)
    {
        var column = _start.Columns[index];
        if (column.Role == ColumnRole.Map && stats.Entries is { } entries)
        {
            Widen(index, TypeFit.WidenExisting(column.Type, entries.ScalarKinds, wholeValues: false, _start.IsPinned(index)));
        }
    }

    private void EvolveGroup(List<string> path, Dictionary<string, int> members, PathStats stats)
    {
        if (stats.Elements is not { } elements)
        {
            return;
        }

        var key = RuleSet.Key(path);
        foreach (var (name, member) in elements.Children)
        {
            if (members.TryGetValue(name, out var index))
            {
                Widen(index, TypeFit.WidenExisting(_start.Columns[index].Type, member.ScalarKinds, wholeValues: false, _start.IsPinned(index)));
            }
            else
            {
                var type = new ColumnType(SchemaDecisions.MemberKind(member), ColumnShape.Nested);
                Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Nested, [name], "a new field of the array's documents"), stats.Present, key);
            }
        }
    }
}
