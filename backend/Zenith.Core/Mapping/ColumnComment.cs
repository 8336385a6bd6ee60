using System.Text.Json;

namespace Zenith.Core.Mapping;

/// <summary>
/// The column comment, where a table keeps what each column means: a plain field's path as a JSON array of segments (the form
/// every Zenith wrote, still read), anything else as an object with its path, kind, Nested member and the reason it was made so,
/// so the next run (and a person in any SQL client) reads the decision back.
/// </summary>
public static class ColumnComment
{
    public static string Write(ColumnDef column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Role == ColumnRole.Field && column.Reason is null)
        {
            return JsonSerializer.Serialize(column.Path, PathJson.Default.IReadOnlyListString);
        }

        return JsonSerializer.Serialize(new Body(column.Path, column.KindText, column.Member, column.Reason), PathJson.Default.Body);
    }

    /// <summary>The document path a comment Zenith wrote names (either form); null for any other comment.</summary>
    public static IReadOnlyList<string>? PathOf(string? comment)
    {
        try
        {
            return comment switch
            {
                ['[', ..] => JsonSerializer.Deserialize(comment, PathJson.Default.IReadOnlyListString),
                ['{', ..] => JsonSerializer.Deserialize(comment, PathJson.Default.Body)?.Path,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The column as a table holds it; a comment Zenith did not write makes a field whose path is its name.</summary>
    public static ColumnDef Read(string name, ColumnType type, string comment)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(comment);
        var role = name switch
        {
            TableSchema.ExtraColumn => ColumnRole.Extra,
            TableSchema.DocumentColumn => ColumnRole.Document,
            _ => ColumnRole.Field,
        };
        try
        {
            if (comment.StartsWith('['))
            {
                return new ColumnDef(name, type, JsonSerializer.Deserialize(comment, PathJson.Default.IReadOnlyListString) ?? [name], role);
            }

            if (comment.StartsWith('{') && JsonSerializer.Deserialize(comment, PathJson.Default.Body) is { } body)
            {
                var kind = role != ColumnRole.Field ? role : body.Kind switch
                {
                    "map" => ColumnRole.Map,
                    "nested" => ColumnRole.Nested,
                    "json" => ColumnRole.Json,
                    _ => ColumnRole.Field,
                };
                return new ColumnDef(name, type, body.Path ?? [name], kind, body.Member, body.Reason);
            }
        }
        catch (JsonException)
        {
            // Not Zenith's comment.
        }

        return new ColumnDef(name, type, role == ColumnRole.Field ? [name] : [], role);
    }

    internal sealed record Body(IReadOnlyList<string>? Path, string? Kind, IReadOnlyList<string>? Member, string? Reason);
}
