using System.Text.Json.Serialization;

namespace Zenith.Core.Mapping;

[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class PathJson : JsonSerializerContext;
