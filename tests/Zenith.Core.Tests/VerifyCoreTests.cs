using Zenith.Core.Buffers;
using Zenith.Core.Mapping;
using Zenith.Core.Verify;

namespace Zenith.Core.Tests;

public class VerifyCoreTests
{
    [Fact]
    public void The_token_bucket_lets_one_second_of_documents_through_then_paces_the_rest()
    {
        var bucket = new TokenBucket(1000, now: 0);
        Assert.Equal(0, bucket.Take(1000, now: 0));
        Assert.Equal(0.5, bucket.Take(500, now: 0), 9);
        // Half a second later the debt is paid: the next 250 wait a quarter of a second.
        Assert.Equal(0.25, bucket.Take(250, now: 0.5), 9);
        // A long idle spell refills at most one second's worth.
        Assert.Equal(0, bucket.Take(1000, now: 100));
        Assert.Equal(0.001, bucket.Take(1, now: 100), 9);
    }

    [Fact]
    public void RowBinary_values_of_every_column_type_are_measured_as_the_encoder_writes_them()
    {
        using var row = new PooledBuffer();
        row.WriteByte(1);                         // Nullable(Int64) NULL
        row.WriteByte(0);
        row.WriteInt64(42);                        // Nullable(Int64) 42
        row.WriteByte(0);
        row.WriteString("héllo"u8);                // Nullable(String)
        row.WriteVarUInt(2);
        row.WriteString("a"u8);
        row.WriteString("bc"u8);                   // Array(String) ['a', 'bc']
        row.WriteVarUInt(3);
        row.WriteInt32(1);
        row.WriteInt32(2);
        row.WriteInt32(3);                         // Array(Int32)
        row.WriteByte(0);
        row.Write(new byte[16]);                   // Nullable(UUID)
        ColumnType[] types = [ColumnType.Scalar(ColumnKind.Int64), ColumnType.Scalar(ColumnKind.Int64), ColumnType.String, ColumnType.ArrayOf(ColumnKind.String), ColumnType.ArrayOf(ColumnKind.Int32), ColumnType.Scalar(ColumnKind.Uuid)];
        var sizes = new List<int>();
        var position = 0;
        foreach (var type in types)
        {
            var size = RowBinaryLayout.Measure(type, row.WrittenSpan[position..]);
            sizes.Add(size);
            position += size;
        }

        Assert.Equal([1, 9, 8, 6, 13, 17], sizes);
        Assert.Equal(row.Length, position);
    }

    [Fact]
    public void Literals_of_any_bytes_are_ascii_and_pages_name_their_bounds()
    {
        Assert.Equal(@"'a\x27b\x5Cc\x00\xC3\xA9'", VerificationSql.Literal([(byte)'a', (byte)'\'', (byte)'b', (byte)'\\', (byte)'c', 0, 0xC3, 0xA9]));
        Assert.Equal(
            "SELECT `_id`, `updated_at` FROM `db`.`t` FINAL WHERE `_zenith_id_type` = 'number' AND `_id` > '10' AND `_id` <= '9' ORDER BY `_id` LIMIT 100 FORMAT RowBinary",
            VerificationSql.IdsPage("db", "t", "updated_at", IdBracket.Number, "10"u8.ToArray(), "9"u8.ToArray(), 100));
        Assert.Equal(
            "SELECT `_id`, `a` FROM `db`.`t` FINAL WHERE `_id` IN ('x', 'y') FORMAT RowBinary",
            VerificationSql.RowsByKeys("db", "t", ["a"], [(null, "x"u8.ToArray()), (null, "y"u8.ToArray())]));
    }

    [Fact]
    public void Only_strings_and_object_ids_are_ordered_by_mongodb_as_their_text()
    {
        Assert.Equal(["string", "objectId"], IdBracket.All.Where(b => b.OrderedAsText).Select(b => b.Name));
        Assert.Equal(IdBracket.All.OrderBy(b => b.Value).Select(b => b.Name), IdBracket.All.Select(b => b.Name));
    }
}
