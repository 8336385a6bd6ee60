using System.Text.Json.Nodes;

namespace Zenith.Service.Api;

/// <summary>
/// JSON merge patch (RFC 7396): the members a patch names replace the target's, <c>null</c> removes one, objects merge member by
/// member and anything else (arrays included) replaces as a whole. Names match the target's ignoring case, as the API reads them.
/// </summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject members)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject existing ? (JsonObject)existing.DeepClone() : [];
        foreach (var (name, value) in members)
        {
            var key = result.Select(m => m.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Apply(result[key], value);
            }
        }

        return result;
    }
}
