using System.Text.Json;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Runner;

/// <summary>
/// A checkpoint in one JSON file, replaced atomically (temp file + rename), so a process killed at any
/// instant leaves either the old checkpoint or the new one, never a torn file.
/// </summary>
internal sealed class FileCheckpointStore(string path) : ICheckpointStore
{
    public async ValueTask<Checkpoint?> LoadAsync(long connectorId, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, RunnerJson.Default.Checkpoint, cancellationToken);
    }

    public async ValueTask SaveAsync(long connectorId, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(file, checkpoint, RunnerJson.Default.Checkpoint, cancellationToken);
        }

        File.Move(temp, path, overwrite: true);
    }
}
