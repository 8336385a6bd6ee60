using System.Text;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Which columns are pinned: named by the table's sorting or partition key (and <c>_id</c>, which ends every sorting key).
/// ClickHouse cannot change a key column's type, and a widened key would reorder or re-partition rows already written, so a
/// pinned column never widens: a value that does not fit it goes to <c>_zenith_extra</c> (see <see cref="TypeFit"/>).
/// </summary>
public static class KeyColumns
{
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
