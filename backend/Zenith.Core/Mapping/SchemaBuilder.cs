using System.Text;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Infers columns from documents: from a sample when the table is created, and again for a batch that
/// brought a field or a type the table does not have yet. New paths add columns; conflicts widen.
/// </summary>
public sealed class SchemaBuilder
{
    private static readonly string[] Reserved = [TableSchema.IdColumn, TableSchema.SyncedAtColumn, TableSchema.VersionColumn, TableSchema.IdTypeColumn];

    private readonly MappingOptions _options;
    private readonly List<ColumnDef> _columns;
    private readonly Dictionary<string, int> _byPath = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(Reserved, StringComparer.Ordinal);
    private readonly HashSet<int> _added = [];
    private readonly HashSet<int> _widened = [];
    private readonly int _typeGeneration;
    private readonly TableSchema _start;

    public SchemaBuilder(MappingOptions options, TableSchema? start = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        MappingRules.Validate(options);
        _options = options;
        start ??= TableSchema.Empty;
        _start = start;
        _columns = [.. start.Columns];
        _typeGeneration = start.TypeGeneration;
        for (var i = 0; i < _columns.Count; i++)
        {
            _byPath[PathKey(_columns[i].Path)] = i;
            _names.Add(_columns[i].Name);
        }
    }

    /// <summary>Records the columns one document needs. Throws <see cref="FormatException"/> for malformed BSON.</summary>
    public void Observe(ReadOnlySpan<byte> document) => ObserveDocument(document, []);

    /// <summary>Records the columns of documents laid back to back; a malformed one adds none (the encoder reports it).</summary>
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

    private void ObserveDocument(ReadOnlySpan<byte> document, List<string> prefix)
    {
        var reader = new BsonElementReader(document);
        while (reader.MoveNext())
        {
            var element = reader.Current;
            if (prefix.Count == 0 && element.Name.SequenceEqual("_id"u8))
            {
                continue;
            }

            if (ValueClassifier.IsNull(element.Type))
            {
                continue;
            }

            prefix.Add(Encoding.UTF8.GetString(element.Name));
            if (element.Type == BsonTypeCode.Document && prefix.Count < _options.MaxDepth)
            {
                ObserveDocument(element.Value, prefix);
            }
            else
            {
                var type = element.Type == BsonTypeCode.Document ? ColumnType.String : ValueClassifier.Classify(element);
                Add(prefix, type);
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    private void Add(List<string> path, ColumnType type)
    {
        var key = PathKey(path);
        if (_byPath.TryGetValue(key, out var index))
        {
            var column = _columns[index];
            var widened = ColumnType.Widen(column.Type, type);
            if (widened != column.Type && (index >= _start.Columns.Count || KeyColumns.MayWiden(_start, index)))
            {
                _columns[index] = column with { Type = widened };
                if (!_added.Contains(index))
                {
                    _widened.Add(index);
                }
            }

            return;
        }

        if (type == ColumnType.EmptyArray)
        {
            // Nothing to store yet and no element type to choose: a missing array column reads as [] anyway.
            return;
        }

        var name = UniqueName(MappingRules.ColumnName(path, _options.Separator));
        _columns.Add(new ColumnDef(name, type, [.. path]));
        _byPath[key] = _columns.Count - 1;
        _added.Add(_columns.Count - 1);
    }

    private string UniqueName(string name)
    {
        var candidate = name;
        for (var n = 2; !_names.Add(candidate); n++)
        {
            candidate = $"{name}_{n}";
        }

        return candidate;
    }

    private static string PathKey(IEnumerable<string> path) => string.Join('\0', path);

    /// <summary>The columns and DDL changes relative to the starting schema.</summary>
    public (TableSchema Schema, SchemaChange Change) Build()
    {
        var schema = TableSchema.Create([.. _columns], _widened.Count > 0 ? _typeGeneration + 1 : _typeGeneration, _start.HasIdType, _start.KeyColumnNames);
        var change = new SchemaChange(
            [.. _added.Order().Select(i => _columns[i])],
            [.. _widened.Order().Select(i => _columns[i])],
            _added.Count > 0 && _added.Min() > 0 ? _columns[_added.Min() - 1].Name : null);
        return (schema, change);
    }
}

/// <summary>Naming and option rules shared by the builder and the preview.</summary>
public static class MappingRules
{
    public static void Validate(MappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxDepth < 1)
        {
            throw new ArgumentException($"mapping max depth must be at least 1 (got {options.MaxDepth})", nameof(options));
        }

        if (options.Separator.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("mapping separator must not contain a NUL character", nameof(options));
        }
    }

    /// <summary>Path segments joined by the separator; an empty field name becomes <c>_</c>.</summary>
    public static string ColumnName(IReadOnlyList<string> path, string separator) =>
        string.Join(separator, path.Select(p => p.Length == 0 ? "_" : p));
}
