using Zenith.Core.Connectors;
using Zenith.Service.Api;

namespace Zenith.Service.Cli;

/// <summary>The <c>--rule ACTION:PATH[=VALUE]</c> option; whether the rule itself is valid is the API's validation to say.</summary>
internal static class CliRules
{
    public static FieldRuleDto Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !Enum.TryParse<FieldAction>(text[..colon], ignoreCase: true, out var action) || !Enum.IsDefined(action))
        {
            throw new CliException($"--rule must look like ACTION:PATH[=VALUE] with ACTION one of {string.Join(", ", Enum.GetNames<FieldAction>().Select(n => n.ToLowerInvariant()))} (got \"{text}\").");
        }

        var rest = text[(colon + 1)..];
        var equals = rest.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? new FieldRuleDto(rest, action) : new FieldRuleDto(rest[..equals], action, rest[(equals + 1)..]);
    }
}
