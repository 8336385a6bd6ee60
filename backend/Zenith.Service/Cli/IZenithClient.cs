using Zenith.Service.Api;

namespace Zenith.Service.Cli;

/// <summary>What the CLI does, against the SQLite file or a running service's API.</summary>
public interface IZenithClient : IAsyncDisposable
{
    Task<IReadOnlyList<ConnectorResponse>> ListAsync(CancellationToken cancellationToken);

    Task<ConnectorResponse> AddAsync(ConnectorRequest request, CancellationToken cancellationToken);

    Task RemoveAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the connector now and returns the finished run. When a run is already queued or running (the first run of a
    /// connector just added, a scheduled one), it waits for that run instead, and says so through <paramref name="attached"/>.
    /// </summary>
    Task<RunResponse> SyncAsync(string name, Action<RunResponse> attached, CancellationToken cancellationToken);

    /// <summary>Forgets the connector's checkpoint; returns the connector.</summary>
    Task<ConnectorResponse> ResetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Reloads the connector into a new table, swapped in atomically, and returns the finished run.</summary>
    Task<RunResponse> ResyncAsync(string name, CancellationToken cancellationToken);

    /// <summary>Verifies the connector's table against its collection and returns the finished verification.</summary>
    Task<VerificationResponse> VerifyAsync(string name, int? sampleSize, CancellationToken cancellationToken);
}

/// <summary>An error the CLI prints as one line (exit code 1).</summary>
public sealed class CliException(string message) : Exception(message);
