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
}

/// <summary>An error the CLI prints as one line (exit code 1).</summary>
public sealed class CliException(string message) : Exception(message);
