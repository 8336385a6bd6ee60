using System.Globalization;
using Zenith.Core.Connectors;

namespace Zenith.Core.Mapping;

/// <summary>
/// Which ORDER BY, PARTITION BY and TTL expressions may go into the DDL Zenith runs with the stored credentials: an allow-list,
/// pure, checked on every save. An expression is columns (bare or quoted), literals, arithmetic and comparison, and calls of the
/// functions below; nothing that ends the clause (a keyword such as SETTINGS, TO DISK, a comment, ';', a query parameter) and no
/// table function. Where the destination answers, ClickHouse parses it too (<see cref="Ddl.ParseCheck"/>).
/// </summary>
public static class TableExpressions
{
    public const int MaxLength = 500;

    /// <summary>Functions a sorting, partition or TTL key uses: dates, hashes, conversions, arithmetic.</summary>
    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "tuple", "toYear", "toQuarter", "toMonth", "toDayOfMonth", "toDayOfWeek", "toHour", "toMinute", "toYYYYMM", "toYYYYMMDD",
        "toYYYYMMDDhhmmss", "toDate", "toDate32", "toDateTime", "toDateTime64", "toStartOfYear", "toStartOfQuarter", "toStartOfMonth",
        "toStartOfWeek", "toMonday", "toStartOfDay", "toStartOfHour", "toStartOfMinute", "toStartOfFiveMinutes", "toStartOfTenMinutes",
        "toStartOfFifteenMinutes", "toStartOfInterval", "toISOWeek", "toISOYear", "toUnixTimestamp", "toRelativeDayNum", "dateTrunc",
        "date_trunc", "now", "today", "addSeconds", "addMinutes", "addHours", "addDays", "addWeeks", "addMonths", "addYears",
        "toIntervalSecond", "toIntervalMinute", "toIntervalHour", "toIntervalDay", "toIntervalWeek", "toIntervalMonth", "toIntervalYear",
        "parseDateTimeBestEffort", "parseDateTimeBestEffortOrNull", "parseDateTime64BestEffort", "parseDateTime64BestEffortOrNull",
        "toDateOrNull", "toDateTimeOrNull", "cityHash64", "sipHash64", "xxHash32", "xxHash64", "murmurHash2_64", "murmurHash3_64",
        "farmHash64", "intHash32", "intHash64", "toString", "toInt8", "toInt16", "toInt32", "toInt64", "toUInt8", "toUInt16", "toUInt32",
        "toUInt64", "toFloat32", "toFloat64", "assumeNotNull", "ifNull", "coalesce", "isNull", "isNotNull", "intDiv", "intDivOrZero",
        "modulo", "abs", "round", "floor", "ceil", "lower", "upper", "lowerUTF8", "upperUTF8", "substring", "left", "right", "length",
        "concat", "if", "multiIf", "greatest", "least", "plus", "minus", "multiply", "divide",
    };

    /// <summary>Words an expression may use bare (not as a column): intervals and logic.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "INTERVAL", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "AND", "OR", "NOT", "NULL", "IS", "IN",
        "TRUE", "FALSE", "LIKE", "BETWEEN",
    };

    /// <summary>Words that end a clause or start another statement part: as a column they need quoting (<c>`settings`</c>).</summary>
    private static readonly HashSet<string> Clauses = new(StringComparer.OrdinalIgnoreCase)
    {
        "SETTINGS", "ENGINE", "TO", "DISK", "VOLUME", "RECOMPRESS", "CODEC", "GROUP", "BY", "WHERE", "SELECT", "FROM", "PRIMARY",
        "KEY", "SAMPLE", "COMMENT", "FORMAT", "INTO", "AS", "TTL", "ORDER", "PARTITION", "WITH", "UNION", "JOIN", "INSERT", "DROP",
        "ALTER", "CREATE", "SYSTEM", "ATTACH", "DETACH", "KILL", "GRANT", "REVOKE", "SET", "USE", "EXCHANGE", "RENAME", "OPTIMIZE",
        "TRUNCATE", "ON", "CLUSTER", "LIMIT", "OFFSET", "HAVING", "FINAL", "PREWHERE", "EXPLAIN", "DELETE", "UPDATE", "ARRAY",
        "DEFAULT", "MATERIALIZED", "ALIAS", "EPHEMERAL", "PROJECTION", "INDEX", "CONSTRAINT", "DICTIONARY", "FUNCTION", "VIEW",
        "TABLE", "DATABASE", "IF", "EXISTS", "OUTFILE", "INFILE", "CASE", "WHEN", "THEN", "ELSE", "END", "ASC", "DESC",
    };

    /// <summary>The field errors (<c>table.orderBy</c>, …) of the connector's table options; empty when every one is allowed.</summary>
    public static IReadOnlyDictionary<string, string> Check(TableOptions table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, expression, ttl) in new[] { ("table.orderBy", table.OrderBy, false), ("table.partitionBy", table.PartitionBy, false), ("table.ttl", table.Ttl, true) })
        {
            if (expression is not null && Error(expression, ttl) is { } error)
            {
                errors[field] = error;
            }
        }

        return errors;
    }

    /// <summary>Why the expression may not go into the DDL, or null. A TTL may end with <c>DELETE</c> (its default action).</summary>
    public static string? Error(string expression, bool ttl = false)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > MaxLength)
        {
            return $"At most {MaxLength} characters (got {expression.Length}).";
        }

        var depth = 0;
        var tokens = 0;
        for (var at = 0; at < expression.Length;)
        {
            var c = expression[at];
            if (c is ' ')
            {
                at++;
                continue;
            }

            tokens++;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var end = at;
                while (end < expression.Length && (char.IsAsciiLetterOrDigit(expression[end]) || expression[end] == '_'))
                {
                    end++;
                }

                var word = expression[at..end];
                var next = end;
                while (next < expression.Length && expression[next] == ' ')
                {
                    next++;
                }

                // IN (...), NOT (...), AND (...) are operators before a parenthesis, not calls.
                var call = next < expression.Length && expression[next] == '(' && !Keywords.Contains(word);
                if (call && !Functions.Contains(word))
                {
                    return $"The function {word}() is not one Zenith allows in table keys; use date, hash and conversion functions such as toYYYYMM(), toDate(), cityHash64(), intDiv().";
                }

                var ttlAction = ttl && word.Equals("DELETE", StringComparison.OrdinalIgnoreCase) && expression[next..].Trim().Length == 0;
                if (!call && !ttlAction && Clauses.Contains(word) && !Keywords.Contains(word))
                {
                    return $"'{word}' would end the clause; quote a column of that name with backticks (`{word}`).";
                }

                at = end;
                continue;
            }

            switch (c)
            {
                case '`' or '"':
                    var close = Quoted(expression, at, c);
                    if (close < 0)
                    {
                        return $"An identifier opened with {c} is not closed.";
                    }

                    at = close + 1;
                    continue;
                case '\'':
                    var endString = Quoted(expression, at, '\'');
                    if (endString < 0)
                    {
                        return "A string opened with ' is not closed.";
                    }

                    at = endString + 1;
                    continue;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0)
                    {
                        return "A ')' closes nothing.";
                    }

                    break;
                case '-' when at + 1 < expression.Length && expression[at + 1] == '-':
                case '/' when at + 1 < expression.Length && expression[at + 1] == '*':
                case '#':
                    return "Comments are not allowed in table keys.";
                case >= '0' and <= '9' or '.' or ',' or '+' or '-' or '*' or '/' or '%' or '=' or '<' or '>' or '!' or '[' or ']':
                    break;
                default:
                    return $"The character '{Printable(c)}' is not allowed in table keys (only columns, literals, operators and function calls are).";
            }

            at++;
        }

        if (depth != 0)
        {
            return "A '(' is not closed.";
        }

        return tokens == 0 ? "The expression is empty." : null;
    }

    /// <summary>Where the quote opened at <paramref name="start"/> closes (a backslash escapes, a doubled quote is one), or -1.</summary>
    private static int Quoted(string text, int start, char quote)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return -1;
    }

    private static string Printable(char c) => char.IsControl(c) ? "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();
}
