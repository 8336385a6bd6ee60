using System.Text;
using Zenith.TestServers.ClickHouse;

namespace Zenith.TestServers.Tests.ClickHouse;

/// <summary>
/// Pre-built RowBinary sent as the request body (what the sync engine does), compressed by the driver or not:
/// the rows read back are the bytes that were sent.
/// </summary>
[Collection(ClickHouseFixture.CollectionName)]
public sealed class RawInsertTests(ClickHouseFixture clickHouse) : IAsyncLifetime
{
    private const int RowCount = 50_000;
    private string database = string.Empty;

    public async Task InitializeAsync() => database = await clickHouse.CreateDatabaseAsync("raw");

    public Task DisposeAsync() => clickHouse.DropDatabaseAsync(database);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RowBinary_body_reads_back_byte_for_byte(bool compressed)
    {
        var table = $"`{database}`.rows_{(compressed ? "gzip" : "plain")}";
        await clickHouse.ExecuteAsync($"CREATE TABLE {table} (id UInt32, s Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY id");
        var payload = RowBinary(RowCount);

        using (var body = new MemoryStream(payload, writable: false))
        using (await clickHouse.Client.InsertRawStreamAsync(table, body, "RowBinary", null, useCompression: compressed, null, CancellationToken.None))
        {
        }

        using var result = await clickHouse.Client.ExecuteRawResultAsync($"SELECT * FROM {table} ORDER BY id FORMAT RowBinary", null, CancellationToken.None);
        await using var stream = await result.ReadDecompressedStreamAsync();
        using var back = new MemoryStream();
        await stream.CopyToAsync(back);
        Assert.Equal(payload.Length, back.Length);
        Assert.True(payload.AsSpan().SequenceEqual(back.ToArray()), "the rows read back differ from the rows sent");
    }

    /// <summary>Rows of (id UInt32, s Nullable(String)) whose strings hold NUL, line breaks and invalid UTF-8.</summary>
    private static byte[] RowBinary(int count)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer);
        for (var id = 0; id < count; id++)
        {
            writer.Write((uint)id);
            if (id % 7 == 0)
            {
                writer.Write((byte)1);
                continue;
            }
            var text = Encoding.UTF8.GetBytes($"row {id} \0\n\t").Concat(new byte[] { 0xff, 0xfe, (byte)id }).ToArray();
            writer.Write((byte)0);
            writer.Write((byte)text.Length); // LEB128 length: every string is shorter than 128 bytes
            writer.Write(text);
        }
        writer.Flush();
        return buffer.ToArray();
    }
}
