using System.Globalization;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Decides the columns from documents: from a sample when the table is created (and for the preview), and again for a batch
/// that brought a field or a type the table lacks. The existing table is the starting point: its columns keep their names and
/// meaning; new paths add columns in a deterministic order (not the sample's) up to the column budget; types widen only where
/// every row already written stays exact. One decision code for the run and the preview (<see cref="Preview"/>).
/// </summary>
public sealed partial class SchemaBuilder
{
    private readonly MappingOptions _options;
    private readonly RuleSet _rules;
    private readonly TableSchema _start;
    private readonly ClickHouseFeatures _features;
    private readonly PathStats _root = new();
    private readonly ExistingColumns _existing;
    private readonly List<Candidate> _candidates = [];
    private readonly Dictionary<int, ColumnType> _widened = [];
    private readonly HashSet<string> _open;
    private readonly List<string> _warnings = [];

    public SchemaBuilder(MappingOptions options, TableSchema? start = null, ClickHouseFeatures? features = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        MappingRules.Validate(options);
        _options = options;
        _rules = new RuleSet(options.Rules);
        _start = start ?? TableSchema.Empty;
        _features = features ?? ClickHouseFeatures.Modern;
        _existing = new ExistingColumns(_start);
        _open = new HashSet<string>(_start.OpenPaths, StringComparer.Ordinal);
    }

    /// <summary>Documents observed so far.</summary>
    public int Observed { get; private set; }

    /// <summary>Records one document. Throws <see cref="FormatException"/> for malformed BSON.</summary>
    public void Observe(ReadOnlySpan<byte> document)
    {
        _root.ObserveDocument(document, 0, _options.MaxDepth, root: true, _options.LegacyUuid);
        Observed++;
    }

    /// <summary>Records documents laid back to back; a malformed one adds nothing (the encoder reports it).</summary>
    public void ObserveAll(ReadOnlySpan<byte> documents)
    {
        var reader = new RawDocumentReader(documents);
        while (reader.MoveNext())
        {
            try
            {
                Observe(reader.Current);
            }
            catch (FormatException)
            {
                // Reported by the encoder, with the document's _id.
            }
        }
    }

    /// <summary>The columns, and the DDL changes relative to the starting schema.</summary>
    public (TableSchema Schema, SchemaChange Change) Build()
    {
        _candidates.Clear();
        _widened.Clear();
        _warnings.Clear();
        Visit([], _root);
        var kept = Budget();
        var columns = new List<ColumnDef>(_start.Columns.Count + kept.Count + 2);
        for (var i = 0; i < _start.Columns.Count; i++)
        {
            var column = _start.Columns[i];
            columns.Add(_widened.TryGetValue(i, out var type) ? column with { Type = type } : column);
        }

        var names = new HashSet<string>(TableSchema.ReservedColumns, StringComparer.Ordinal);
        names.UnionWith(columns.Select(c => c.Name));
        var added = Naming.Assign(kept, names, _options.Separator, _start.Columns);
        var special = columns.FindIndex(c => c.Role is ColumnRole.Extra or ColumnRole.Document);
        columns.InsertRange(special < 0 ? columns.Count : special, added);
        AddSpecial(columns, added, ColumnRole.Extra, TableSchema.ExtraColumn, always: true);
        AddSpecial(columns, added, ColumnRole.Document, TableSchema.DocumentColumn, _options.WholeDocument);

        var generation = _widened.Count > 0 ? _start.TypeGeneration + 1 : _start.TypeGeneration;
        var schema = TableSchema.Create(columns, _options, generation, _open, _start.KeyColumnNames, _start.HasIdType, _start.IsChangeLog);
        var after = added.Select(c => columns.IndexOf(c) is var at and > 0 ? columns[at - 1].Name : TableSchema.IdColumn).ToList();
        var change = new SchemaChange(added, [.. _widened.Keys.Order().Select(i => columns[i])], after);
        return (schema, change);
    }

    /// <summary>What the preview shows: every column with its kind and reason, and the warnings of the last <see cref="Build"/>.</summary>
    public MappingPreview Preview(TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        List<PreviewColumn> columns = [new(TableSchema.IdColumn, "String", "_id", "scalar", null)];
        columns.AddRange(schema.Columns.Select(c => new PreviewColumn(c.Name, c.Type.ToClickHouse(), c.SourcePath, c.KindText, c.Reason)));
        columns.Add(new(TableSchema.SyncedAtColumn, "DateTime64(3, 'UTC')", string.Empty, "metadata", null));
        columns.Add(new(TableSchema.VersionColumn, "UInt64", string.Empty, "metadata", null));
        columns.Add(new(TableSchema.IdTypeColumn, KeyColumns.IdTypeDefinition, string.Empty, "metadata", null));
        return new MappingPreview(columns, Observed, [.. _warnings]);
    }

    /// <summary>
    /// Paths in the order the documents first showed them: columns follow the documents' field order, which keeps the encoder's
    /// lookups one comparison per field. Names are given in an order of the paths alone (<see cref="Naming"/>).
    /// </summary>
    private void Visit(List<string> path, PathStats stats)
    {
        foreach (var (name, child) in stats.Children)
        {
            path.Add(name);
            VisitPath(path, child);
            path.RemoveAt(path.Count - 1);
        }
    }

    private void VisitPath(List<string> path, PathStats stats)
    {
        if (!_rules.MayHoldKept(path))
        {
            return;
        }

        var key = RuleSet.Key(path);
        if (_existing.Whole.TryGetValue(key, out var whole))
        {
            EvolveMap(whole, stats);
            return;
        }

        if (_existing.Groups.TryGetValue(key, out var group))
        {
            EvolveGroup(path, group, stats);
            return;
        }

        var keep = _rules.Keeps(path);
        var rule = keep ? _rules.For(path) : null;
        switch (rule?.Action)
        {
            case FieldAction.Json:
                AddJson(path, stats, "rule: kept as JSON");
                return;
            case FieldAction.Map:
                AddMap(path, stats, "rule: treated as a map");
                return;
            case FieldAction.Type:
                AddForced(path, stats, rule.Value!);
                return;
        }

        var depthLimited = stats.Documents > 0 && path.Count >= _options.MaxDepth;
        if (depthLimited && keep && !_existing.Fields.ContainsKey(key))
        {
            AddJson(path, stats, string.Create(CultureInfo.InvariantCulture, $"deeper than max depth {_options.MaxDepth}"));
            return;
        }

        if (stats.Documents > 0 && !depthLimited)
        {
            if (VisitDocument(path, key, stats, rule, keep))
            {
                return;
            }
        }

        if (!keep || stats.Scalars + stats.OtherArrays + stats.DocumentArrays == 0 && !depthLimited)
        {
            return;
        }

        if (_existing.Fields.TryGetValue(key, out var index))
        {
            var column = _start.Columns[index];
            var kinds = column.Type.IsArray ? stats.ElementKinds : stats.ScalarKinds;
            var wholeValues = stats.OtherArrays + stats.DocumentArrays > 0 || depthLimited;
            var type = TypeFit.WidenExisting(column.Type, kinds, wholeValues, _start.IsPinned(index));
            Widen(index, type);
        }
        else if (SchemaDecisions.IsNested(stats))
        {
            AddNested(path, stats);
        }
        else
        {
            var (type, reason) = SchemaDecisions.FieldType(stats);
            Add(new ColumnDef(string.Empty, type, [.. path], ColumnRole.Field, Reason: reason), stats.Present, key);
            if (type.Kind == ColumnKind.String && BitCount(stats.ScalarKinds) + (stats.OtherArrays > 0 ? 1 : 0) > 1)
            {
                Warn($"{string.Join('.', path)}: mixed types, kept as text");
            }

            if (stats.OutOfRangeDates > 0)
            {
                Warn(string.Create(CultureInfo.InvariantCulture, $"{string.Join('.', path)}: dates outside 1900-2299 go to {TableSchema.ExtraColumn} ({stats.OutOfRangeDates} in the sample)"));
            }
        }
    }

    /// <summary>A sub-document: a map, or its keys visited as fields. True when nothing is left to decide at this path.</summary>
    private bool VisitDocument(List<string> path, string key, PathStats stats, FieldRule? rule, bool keep)
    {
        var flatten = rule?.Action == FieldAction.Flatten || !keep;
        if (_existing.Interior.Contains(key))
        {
            // Flattened before: new keys that are data (or a key set that keeps growing) go to _zenith_extra, never to new columns without end.
            var fresh = stats.Children.Keys.Where(k => !_existing.Interior.Contains(RuleSet.Key([.. path, k])) && !_existing.Fields.ContainsKey(RuleSet.Key([.. path, k]))).ToList();
            var reason = flatten || fresh.Count == 0 || _open.Contains(key) ? null
                : SchemaDecisions.KeysAreData(fresh) ?? (fresh.Count >= 16 && fresh.Count >= stats.Children.Count - fresh.Count ? $"{fresh.Count} new keys in one batch" : null);
            if (reason is not null && _open.Add(key))
            {
                Warn($"{string.Join('.', path)} looks like a map ({reason}): its new keys go to {TableSchema.ExtraColumn}; resync to make it a Map column");
            }

            if (_open.Contains(key))
            {
                foreach (var name in fresh)
                {
                    stats.Children.Remove(name);
                }
            }
        }
        else if (!flatten && SchemaDecisions.MapReason(stats) is { } reason)
        {
            AddMap(path, stats, reason);
            return true;
        }

        if (stats.ChildrenCapped && _open.Add(key))
        {
            // Flattened by a rule though its keys have no end: the keys beyond those counted go to _zenith_extra.
            Warn($"{string.Join('.', path)} has more than {PathStats.MaxChildren} distinct keys: those beyond go to {TableSchema.ExtraColumn}");
        }

        Visit(path, stats);
        return false;
    }

    private void Widen(int index, ColumnType type)
    {
        if (type != _start.Columns[index].Type)
        {
            _widened[index] = type;
        }
    }

    private void Add(ColumnDef column, int presence, string unit) =>
        _candidates.Add(new Candidate(column, presence, unit, column.Role == ColumnRole.Nested ? null : _rules.RenameOf(column.Path)));

    /// <summary>The candidates that fit the column budget: the most frequent paths first, a Nested group whole or not at all.</summary>
    private List<Candidate> Budget()
    {
        var room = _options.MaxColumns - TableSchema.MetadataColumns.Count - (_start.IsChangeLog ? 1 : 0) - _start.Columns.Count
            - (_start.HasColumn(ColumnRole.Extra) ? 0 : 1) - (_options.WholeDocument && !_start.HasColumn(ColumnRole.Document) ? 1 : 0);
        var units = _candidates.GroupBy(c => c.Unit).OrderByDescending(g => g.Max(c => c.Presence)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        var keptUnits = new HashSet<string>(StringComparer.Ordinal);
        var left = new List<string>();
        foreach (var unit in units)
        {
            var size = unit.Count();
            if (size <= room)
            {
                keptUnits.Add(unit.Key);
                room -= size;
            }
            else
            {
                left.Add(unit.First().Column.SourcePath);
                room = Math.Min(room, 0);
            }
        }

        if (left.Count > 0)
        {
            Warn(string.Create(CultureInfo.InvariantCulture, $"{left.Count} fields beyond the column budget of {_options.MaxColumns} go to {TableSchema.ExtraColumn}: {string.Join(", ", left.Take(5))}{(left.Count > 5 ? ", …" : "")}"));
        }

        return [.. _candidates.Where(c => keptUnits.Contains(c.Unit))];
    }

    private void AddSpecial(List<ColumnDef> columns, List<ColumnDef> added, ColumnRole role, string name, bool always)
    {
        if (!always || columns.Exists(c => c.Role == role))
        {
            return;
        }

        var column = role == ColumnRole.Extra
            ? new ColumnDef(name, _features.JsonType ? ColumnType.Json : ColumnType.String, [], role, Reason: "values without a column of their own, or that do not fit theirs, under their path")
            : new ColumnDef(name, _features.JsonType ? ColumnType.Json : ColumnType.String, [], role, Reason: "the whole document");
        columns.Add(column);
        added.Add(column);
    }

    private void Warn(string warning) => _warnings.Add(warning);

    private static int BitCount(int bits) => System.Numerics.BitOperations.PopCount((uint)bits);
}

/// <summary>A column the builder would add: its presence in the sample ranks it against the budget; a unit is added whole.</summary>
internal sealed record Candidate(ColumnDef Column, int Presence, string Unit, string? Rename);
