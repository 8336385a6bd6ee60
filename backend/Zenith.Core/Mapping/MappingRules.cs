using System.Security.Cryptography;
using System.Text;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>The mapping options' rules: validation, column names, forced types, and which changes need a new table.</summary>
public static class MappingRules
{
    public const int MinColumns = 10;
    public const int MaxColumns = 10_000;

    /// <summary>The types a <see cref="FieldAction.Type"/> rule may name.</summary>
    public static readonly IReadOnlyList<string> TypeNames = ["String", "Int32", "Int64", "Float64", "Bool", "DateTime64", "UUID", "JSON"];

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

        if (options.MaxColumns is < MinColumns or > MaxColumns)
        {
            throw new ArgumentException($"mapping max columns must be between {MinColumns} and {MaxColumns} (got {options.MaxColumns})", nameof(options));
        }

        foreach (var rule in options.Rules)
        {
            if (RuleError(rule) is { } error)
            {
                throw new ArgumentException(error, nameof(options));
            }
        }
    }

    /// <summary>What is wrong with one rule, or null.</summary>
    public static string? RuleError(FieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (string.IsNullOrWhiteSpace(rule.Path) || rule.Path.Split('.').Any(p => p.Length == 0) || rule.Path.Contains('\0', StringComparison.Ordinal))
        {
            return $"\"{rule.Path}\" is not a document path (dotted field names, no empty parts)";
        }

        if (rule.Path == "_id" || rule.Path.StartsWith("_id.", StringComparison.Ordinal))
        {
            return "_id is always its own column; rules cannot change it";
        }

        return rule.Action switch
        {
            FieldAction.Type when ForcedType(rule.Value) is null => $"the type of {rule.Path} must be one of {string.Join(", ", TypeNames)} (got \"{rule.Value}\")",
            FieldAction.Rename when string.IsNullOrWhiteSpace(rule.Value) || rule.Value.Length > 200 || rule.Value.Any(c => char.IsControl(c) || c is '.' or '`')
                || rule.Value.StartsWith("_zenith_", StringComparison.Ordinal) || rule.Value == "_id"
                => $"the new name of {rule.Path} must be 1 to 200 characters without '.', '`' or control characters, and not _id or _zenith_*",
            not (FieldAction.Type or FieldAction.Rename) when rule.Value is not null => $"a {rule.Action.ToString().ToLowerInvariant()} rule takes no value",
            _ => null,
        };
    }

    /// <summary>The column type a type rule names; null for a name not in <see cref="TypeNames"/>.</summary>
    public static ColumnType? ForcedType(string? name) => name switch
    {
        "String" => ColumnType.String,
        "Int32" => ColumnType.Scalar(ColumnKind.Int32),
        "Int64" => ColumnType.Scalar(ColumnKind.Int64),
        "Float64" => ColumnType.Scalar(ColumnKind.Float64),
        "Bool" => ColumnType.Scalar(ColumnKind.Bool),
        "DateTime64" => ColumnType.Scalar(ColumnKind.DateTime64),
        "UUID" => ColumnType.Scalar(ColumnKind.Uuid),
        "JSON" => ColumnType.Json,
        _ => null,
    };

    /// <summary>A path's column name: its segments joined by the separator, never with a '.' (ClickHouse reads dotted Array columns as Nested).</summary>
    public static string ColumnName(IReadOnlyList<string> path, string separator)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(separator);
        var safe = separator.Replace('.', '_');
        return string.Join(safe, path.Select(p => p.Length == 0 ? "_" : p.Replace(".", safe, StringComparison.Ordinal)));
    }

    /// <summary>
    /// The options that decide what a column means (separator, depth, rules, legacy UUIDs), as a short hash stored in the table's
    /// comment: a table made with other rules is never written with these. The budget and the whole-document column only add
    /// columns, so they are not part of it.
    /// </summary>
    public static string Fingerprint(MappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder().Append(options.Separator).Append('\0').Append(options.MaxDepth).Append('\0').Append(options.LegacyUuid);
        foreach (var rule in options.Rules)
        {
            text.Append('\0').Append(rule.Path).Append('\u0001').Append(rule.Action).Append('\u0001').Append(rule.Value);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>Why rows written with <paramref name="before"/> would change meaning under <paramref name="after"/>, or null.</summary>
    public static string? TableChange(MappingOptions before, MappingOptions after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (Fingerprint(before) == Fingerprint(after))
        {
            return null;
        }

        var what = new List<string>();
        if (before.Separator != after.Separator)
        {
            what.Add("the separator");
        }

        if (before.MaxDepth != after.MaxDepth)
        {
            what.Add("the depth");
        }

        if (before.LegacyUuid != after.LegacyUuid)
        {
            what.Add("the legacy UUID order");
        }

        if (!before.Rules.SequenceEqual(after.Rules))
        {
            what.Add("the field rules");
        }

        return $"{string.Join(", ", what)} changed";
    }
}

/// <summary>What the destination server can store; read once per run.</summary>
/// <param name="JsonType">ClickHouse's <c>JSON</c> type with the settings Zenith needs to write it losslessly (25.3+).</param>
public sealed record ClickHouseFeatures(bool JsonType)
{
    /// <summary>A current server: JSON parts use the <c>JSON</c> type.</summary>
    public static ClickHouseFeatures Modern { get; } = new(true);

    /// <summary>An older server: JSON parts are String columns holding JSON text.</summary>
    public static ClickHouseFeatures Legacy { get; } = new(false);

    /// <summary>
    /// What a server answering <see cref="Ddl.SelectFeatures"/> can store: the JSON type needs 25.3+ and both settings
    /// (one decision, used by the run and by tests that must expect the same columns).
    /// </summary>
    public static ClickHouseFeatures FromServer(string version, long jsonSettings) =>
        jsonSettings == 2 && AtLeast(version, 25, 3) ? Modern : Legacy;

    private static bool AtLeast(string version, int major, int minor)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var a)
            && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var b) && (a > major || (a == major && b >= minor));
    }
}
