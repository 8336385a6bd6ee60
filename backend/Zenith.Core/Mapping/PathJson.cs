using System.Text.Json.Serialization;

namespace Zenith.Core.Mapping;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(ColumnComment.Body))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class PathJson : JsonSerializerContext;
