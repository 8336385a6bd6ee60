using System.Diagnostics;
using ClickHouse.Driver;
using Zenith.Bench.DataSets;
using Zenith.Bench.Harness;

namespace Zenith.Bench.Contestants;

/// <summary>
/// The destination's limit: the rows of a reference table (what Zenith wrote, or the Node script if
/// Zenith did not run), fetched once as RowBinary in chunks of about <see cref="ChunkRows"/> rows, then
/// inserted with ClickHouse.Driver's <c>InsertRawStreamAsync</c> into an empty copy of the table, uncompressed.
/// </summary>
internal sealed class DestinationCeiling(Destination destination) : IContestant
{
    public const int ChunkRows = 100_000;

    // JSON columns travel as text both ways, as Zenith sends them: ClickHouse's binary JSON output is not its binary JSON input.
    private static readonly QueryOptions ReadJsonAsText = new() { CustomSettings = new Dictionary<string, object> { ["output_format_binary_write_json_as_string"] = 1 } };
    private static readonly QueryOptions WriteJsonAsText = new() { CustomSettings = new Dictionary<string, object> { ["input_format_binary_read_json_as_string"] = 1 } };

    private readonly List<byte[]> chunks = [];
    private string? reference;
    private long rowCount;

    /// <summary>Rows in the first chunk: the warm-up's insert, and the measured runs' when a full run would not fit the budget.</summary>
    public long FirstChunkRows { get; private set; }

    public string Name => "ceiling: insert RowBinary";

    public string Key => "ceiling_insert";

    public CpuProbe Cpu { get; } = new("the harness process, in which the ceiling runs (/proc/self)", ProcCpu.SelfTicks);

    public string Description => $"Destination ceiling: pre-built RowBinary (the rows Zenith wrote) inserted through ClickHouse.Driver `InsertRawStreamAsync`, about {ChunkRows:N0} rows per insert";

    public bool WritesTable => true;

    public string? NotApplicable(DataSet dataSet) => dataSet.Incremental ? "ceilings are measured on first loads" : null;

    /// <summary>Takes the rows of <paramref name="table"/> as the payload of the next runs (null: nothing to take).</summary>
    public async Task PrepareAsync(string database, string? table, CancellationToken ct)
    {
        chunks.Clear();
        reference = null;
        if (table is null)
            return;
        var name = Destination.Name(database, table);
        var rows = long.Parse(await destination.ScalarTextAsync($"SELECT count() FROM {name}", ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        // Chunks by a hash of _id rather than ORDER BY … LIMIT/OFFSET, which sorts the whole table for every chunk.
        var count = Math.Max(1, (rows + ChunkRows - 1) / ChunkRows);
        for (long chunk = 0; chunk < count; chunk++)
        {
            using var result = await destination.Client.ExecuteRawResultAsync($"SELECT * FROM {name} WHERE cityHash64(_id) % {count} = {chunk} FORMAT RowBinary", ReadJsonAsText, ct).ConfigureAwait(false);
            await using var stream = await result.ReadDecompressedStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            chunks.Add(buffer.ToArray());
        }
        reference = name;
        rowCount = rows;
        FirstChunkRows = long.Parse(await destination.ScalarTextAsync($"SELECT count() FROM {name} WHERE cityHash64(_id) % {count} = 0", ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<RunOutcome> RunAsync(RunTarget target, CancellationToken ct)
    {
        if (reference is null)
            throw new InvalidOperationException("no reference table to take RowBinary rows from (neither Zenith nor the Node script produced one)");
        var table = Destination.Name(target.Database, target.Table);
        var started = Stopwatch.GetTimestamp();
        await destination.ExecuteAsync($"CREATE TABLE {table} AS {reference}", ct).ConfigureAwait(false);
        // The warm-up (and a run on the sample) inserts one chunk; a full run all of them.
        var take = target.Collection == target.DataSet.WarmUpCollection ? 1 : chunks.Count;
        foreach (var chunk in chunks.Take(take))
        {
            using var body = new MemoryStream(chunk, writable: false);
            using var response = await destination.Client.InsertRawStreamAsync(table, body, "RowBinary", null, useCompression: false, WriteJsonAsText, ct).ConfigureAwait(false);
        }
        return new RunOutcome(Stopwatch.GetElapsedTime(started).TotalSeconds, take == 1 ? FirstChunkRows : rowCount);
    }
}
