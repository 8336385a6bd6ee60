using System.Runtime.CompilerServices;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// Streams of <see cref="IdEntry"/> in the byte order of their text, which is ClickHouse's order of <c>_id</c>: a k-way merge of
/// streams already in that order, and an external sort for ids MongoDB orders otherwise (numbers, dates…): runs of
/// <c>runSize</c> ids are sorted in memory, a second run sends them to temporary files, and the files are merged back.
/// Memory holds one run (or one entry per file while merging), whatever the number of ids.
/// </summary>
internal static class SortedIds
{
    public static async IAsyncEnumerable<IdEntry> MergeAsync(IReadOnlyList<IAsyncEnumerable<IdEntry>> streams, [EnumeratorCancellation] CancellationToken ct)
    {
        var readers = new List<IAsyncEnumerator<IdEntry>>();
        var queue = new PriorityQueue<int, IdEntry>(Comparer<IdEntry>.Create(IdEntry.CompareText));
        try
        {
            foreach (var stream in streams)
            {
                var reader = stream.GetAsyncEnumerator(ct);
                readers.Add(reader);
                if (await reader.MoveNextAsync())
                {
                    queue.Enqueue(readers.Count - 1, reader.Current);
                }
            }

            while (queue.TryDequeue(out var index, out var entry))
            {
                yield return entry;
                if (await readers[index].MoveNextAsync())
                {
                    queue.Enqueue(index, readers[index].Current);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    public static async IAsyncEnumerable<IdEntry> SortAsync(IAsyncEnumerable<IdEntry> source, int runSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var run = new List<IdEntry>();
        var files = new List<string>();
        try
        {
            await foreach (var entry in source.WithCancellation(ct))
            {
                run.Add(entry);
                if (run.Count >= runSize)
                {
                    files.Add(await SpillAsync(run, ct));
                    run.Clear();
                }
            }

            run.Sort(IdEntry.CompareText);
            if (files.Count == 0)
            {
                foreach (var entry in run)
                {
                    yield return entry;
                }

                yield break;
            }

            var streams = files.Select(f => ReadRunAsync(f, ct)).Append(ToAsync(run)).ToList();
            await foreach (var entry in MergeAsync(streams, ct))
            {
                yield return entry;
            }
        }
        finally
        {
            foreach (var file in files)
            {
                File.Delete(file);
            }
        }
    }

    private static async Task<string> SpillAsync(List<IdEntry> run, CancellationToken ct)
    {
        run.Sort(IdEntry.CompareText);
        var path = Path.Combine(Path.GetTempPath(), $"zenith-verify-{Guid.NewGuid():N}.ids");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using var writer = new BinaryWriter(file);
        foreach (var entry in run)
        {
            ct.ThrowIfCancellationRequested();
            Write(writer, entry.Text);
            writer.Write(entry.Bracket.Value);
            Write(writer, entry.RawId);
            Write(writer, entry.Cursor);
        }

        return path;
    }

    private static async IAsyncEnumerable<IdEntry> ReadRunAsync(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(file);
        while (file.Position < file.Length)
        {
            ct.ThrowIfCancellationRequested();
            var text = Read(reader)!;
            var bracket = IdBracket.ByValue(reader.ReadSByte()) ?? throw new InvalidDataException("corrupt sort run");
            var rawId = Read(reader)!;
            yield return new IdEntry(text, bracket, rawId, Read(reader));
        }
    }

    private static void Write(BinaryWriter writer, byte[]? bytes)
    {
        writer.Write(bytes?.Length ?? -1);
        if (bytes is not null)
        {
            writer.Write(bytes);
        }
    }

    private static byte[]? Read(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        return length < 0 ? null : reader.ReadBytes(length);
    }

#pragma warning disable CS1998 // An async iterator over a list in memory: nothing to await.
    private static async IAsyncEnumerable<IdEntry> ToAsync(List<IdEntry> entries)
#pragma warning restore CS1998
    {
        foreach (var entry in entries)
        {
            yield return entry;
        }
    }
}
