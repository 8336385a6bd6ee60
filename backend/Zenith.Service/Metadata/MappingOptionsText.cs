using System.Text.Json;
using System.Text.Json.Serialization;
using Zenith.Core.Connectors;

namespace Zenith.Service.Metadata;

/// <summary>The mapping options beyond separator and depth as the <c>mapping_options</c> column holds them: JSON, NULL for the defaults.</summary>
internal static class MappingOptionsText
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static string? Write(MappingOptions options)
    {
        var defaults = options.Rules.Count == 0 && options.MaxColumns == MappingOptions.DefaultMaxColumns && !options.WholeDocument && options.LegacyUuid == LegacyUuid.None;
        return defaults ? null : JsonSerializer.Serialize(new Stored(options.MaxColumns, options.WholeDocument, options.LegacyUuid, [.. options.Rules]), Json);
    }

    public static MappingOptions Read(string separator, int maxDepth, string? text)
    {
        var options = new MappingOptions(separator, maxDepth);
        if (string.IsNullOrEmpty(text) || JsonSerializer.Deserialize<Stored>(text, Json) is not { } stored)
        {
            return options;
        }

        return options with { MaxColumns = stored.MaxColumns, WholeDocument = stored.WholeDocument, LegacyUuid = stored.LegacyUuid, Rules = stored.Rules ?? [] };
    }

    private sealed record Stored(int MaxColumns, bool WholeDocument, LegacyUuid LegacyUuid, List<FieldRule>? Rules);
}
