namespace Zenith.Sync;

/// <summary>A connector setting that cannot work; the message says which and why.</summary>
public sealed class SyncConfigurationException(string message) : Exception(message);
