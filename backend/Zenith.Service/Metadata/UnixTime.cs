namespace Zenith.Service.Metadata;

/// <summary>Times are stored as unix milliseconds (INTEGER columns).</summary>
internal static class UnixTime
{
    public static DateTimeOffset? From(long? ms) => ms is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);
}
