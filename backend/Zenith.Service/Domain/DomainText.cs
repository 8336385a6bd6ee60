using Zenith.Core.Connectors;

namespace Zenith.Service.Domain;

/// <summary>
/// The text of the domain's enums, as SQLite stores them and the history prints them: lower case (<c>active</c>,
/// <c>succeeded</c>, <c>schedule</c>), sync modes in snake case (<c>incremental_id</c>). The API's JSON uses the same words.
/// </summary>
public static class DomainText
{
    public static string Text<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum => Enum.Parse<TEnum>(text, ignoreCase: true);

    public static string ModeText(SyncMode mode) => mode switch
    {
        SyncMode.IncrementalId => "incremental_id",
        SyncMode.IncrementalTimestamp => "incremental_timestamp",
        SyncMode.Full => "full",
        SyncMode.ChangeStream => "change_stream",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static SyncMode ParseMode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Enum.Parse<SyncMode>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
    }
}
