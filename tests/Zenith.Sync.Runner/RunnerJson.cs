using System.Text.Json.Serialization;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Runner;

[JsonSerializable(typeof(Checkpoint))]
internal sealed partial class RunnerJson : JsonSerializerContext;
