using Zenith.Core.Connectors;

namespace Zenith.Sync.Runner;

/// <summary>One line per event on stdout, flushed at once, so a parent process can wait for "committed N".</summary>
internal sealed class ConsoleObserver : ISyncObserver
{
    public void BatchCommitted(SyncProgress batch, SyncProgress total) =>
        Write($"committed {total.Batches} {total.RowsWritten}");

    public void DocumentFailed(string documentId, string reason) => Write($"failed {documentId}: {reason}");

    public void Note(string message) => Write("note " + message);

    public static void Write(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
