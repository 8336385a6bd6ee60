using System.Text.Json;
using System.Text.Json.Serialization;
using Zenith.Core.Connectors;

namespace Zenith.Service.Metadata;

/// <summary>A connector's warnings as the <c>warnings</c> column holds them: a JSON array of <c>{kind, message}</c>.</summary>
internal static class StoredWarnings
{
    public static string? Write(IReadOnlyCollection<SyncWarning> warnings) =>
        warnings.Count == 0 ? null : JsonSerializer.Serialize([.. warnings.Select(w => new Row(w.Kind, w.Message))], WarningJson.Default.RowArray);

    public static IReadOnlyList<SyncWarning> Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return [.. (JsonSerializer.Deserialize(json, WarningJson.Default.RowArray) ?? []).Select(r => new SyncWarning(r.Kind, r.Message))];
        }
        catch (JsonException)
        {
            // A warning is advice: an unreadable one is dropped, the next check writes it again.
            return [];
        }
    }

    internal sealed record Row(SyncWarningKind Kind, string Message);
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(StoredWarnings.Row[]))]
internal sealed partial class WarningJson : JsonSerializerContext;
