using System.Text;
using Zenith.Core.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// A destination table's identity, in one place. ReplacingMergeTree collapses rows by the whole sorting key, so the key always
/// ends with the document's identity, <c>_zenith_id_type</c> (the <c>_id</c>'s type bracket: 1 and "1" are two documents, 1 and
/// 1.0 one) then <c>_id</c>; a user's ORDER BY is only its prefix. Columns in the sorting or partition key are pinned: never
/// widened (ClickHouse refuses to change a key column's type, error 524, and a widened key would reorder or re-partition rows
/// already written), so a value that does not fit one goes to <c>_zenith_extra</c> (see <see cref="TypeFit"/>), and is counted
/// and reported. A table that exists says which its key columns are (system.columns, read by the sink); for a table about to
/// be made, <see cref="Pinned"/> reads them from the connector's table options.
/// </summary>
public static class KeyColumns
{
    /// <summary>The <c>_id</c>'s type bracket, valued as MongoDB orders brackets, so the key keeps each type's documents together.</summary>
    public static string IdTypeDefinition { get; } =
        "Enum8(" + string.Join(", ", TypeBrackets.InOrder.Select(b => $"{Ddl.Literal(b.Name())} = {(sbyte)b}")) + ")";

    /// <summary>The ORDER BY of a new table: the user's expression as the prefix (without <c>_id</c>), then the identity.</summary>
    public static string SortingKey(string? userOrderBy)
    {
        var parts = string.IsNullOrWhiteSpace(userOrderBy) ? [] : SplitTopLevel(Unwrap(userOrderBy.Trim()));
        parts.RemoveAll(p => IsIdentity(p.Trim()));
        parts.Add(Ddl.Quote(TableSchema.IdTypeColumn));
        parts.Add(Ddl.Quote(TableSchema.IdColumn));
        return "(" + string.Join(", ", parts.Select(p => p.Trim())) + ")";
    }

    private static bool IsIdentity(string part) =>
        part is TableSchema.IdColumn or TableSchema.IdTypeColumn || part == Ddl.Quote(TableSchema.IdColumn) || part == Ddl.Quote(TableSchema.IdTypeColumn);

    /// <summary><c>(a, b)</c> → <c>a, b</c> when the parentheses enclose the whole expression.</summary>
    private static string Unwrap(string expression)
    {
        if (expression.Length < 2 || expression[0] != '(' || expression[^1] != ')')
        {
            return expression;
        }

        var depth = 0;
        foreach (var (c, i) in Scan(expression))
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && i < expression.Length - 1)
            {
                return expression;
            }
        }

        return expression[1..^1];
    }

    /// <summary>The expression's parts at its top level (commas outside parentheses, brackets and quotes).</summary>
    private static List<string> SplitTopLevel(string expression)
    {
        var parts = new List<string>();
        var start = 0;
        var depth = 0;
        foreach (var (c, i) in Scan(expression))
        {
            depth += c is '(' or '[' ? 1 : c is ')' or ']' ? -1 : 0;
            if (c == ',' && depth == 0)
            {
                parts.Add(expression[start..i]);
                start = i + 1;
            }
        }

        parts.Add(expression[start..]);
        return [.. parts.Where(p => p.Trim().Length > 0)];
    }

    /// <summary>The characters outside quoted parts (<c>'…'</c>, <c>"…"</c>, <c>`…`</c>, with backslash escapes), with their index.</summary>
    private static IEnumerable<(char Char, int Index)> Scan(string expression)
    {
        char? quote = null;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (quote is { } q)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == q)
                {
                    quote = null;
                }

                continue;
            }

            if (c is '\'' or '"' or '`')
            {
                quote = c;
                continue;
            }

            yield return (c, i);
        }
    }

    /// <summary>The names of the key columns that do not fit, for a person (<c>created_at</c>, <c>org</c>).</summary>
    public static string Names(TableSchema schema, IEnumerable<int> columns)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var text = new StringBuilder();
        foreach (var column in columns.Distinct().Order())
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(schema.Columns[column].Name).Append(" (").Append(schema.Columns[column].Type.ToClickHouse()).Append(')');
        }

        return text.ToString();
    }

    /// <summary>The names among <paramref name="columns"/> that <paramref name="table"/>'s ORDER BY or PARTITION BY mention, and <c>_id</c>.</summary>
    public static IReadOnlySet<string> Pinned(TableOptions table, IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var named = new HashSet<string>(Identifiers(table.OrderBy).Concat(Identifiers(table.PartitionBy)), StringComparer.Ordinal);
        var pinned = new HashSet<string>(StringComparer.Ordinal) { TableSchema.IdColumn };
        pinned.UnionWith(columns.Where(named.Contains));
        return pinned;
    }

    /// <summary>The identifiers of a ClickHouse expression: backquoted ones unescaped, bare words as they are (function names included, harmlessly).</summary>
    public static IEnumerable<string> Identifiers(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            yield break;
        }

        for (var i = 0; i < expression.Length;)
        {
            var c = expression[i];
            if (c == '`' || c == '"')
            {
                var name = new StringBuilder();
                for (i++; i < expression.Length && expression[i] != c; i++)
                {
                    if (expression[i] == '\\' && i + 1 < expression.Length)
                    {
                        i++;
                    }

                    name.Append(expression[i]);
                }

                i++;
                yield return name.ToString();
            }
            else if (c == '\'')
            {
                for (i++; i < expression.Length && expression[i] != '\''; i++)
                {
                    if (expression[i] == '\\')
                    {
                        i++;
                    }
                }

                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] == '_'))
                {
                    i++;
                }

                yield return expression[start..i];
            }
            else
            {
                i++;
            }
        }
    }
}
