using System.Buffers;
using MongoDB.Bson;
using Zenith.Core.Bson;
using Zenith.Core.Buffers;

namespace Zenith.Core.Tests;

public sealed class RawDocumentBufferTests
{
    [Fact]
    public void Documents_go_back_to_back_and_the_reader_walks_them_until_a_length_that_does_not_fit()
    {
        using var buffer = new RawDocumentBuffer(16, ArrayPool<byte>.Shared);
        var first = new BsonDocument { { "_id", 1 }, { "a", "x" } }.ToBson();
        var second = new BsonDocument { { "_id", 2 }, { "b", new BsonDocument("c", true) } }.ToBson();
        buffer.Append(first);
        buffer.Append(second);
        Assert.Equal((2, first.Length), (buffer.Count, buffer.LastOffset));
        Assert.Equal(second, buffer.Last.ToArray());

        var read = new List<(int, int)>();
        var reader = new RawDocumentReader([.. buffer.Documents, 200, 0, 0, 0, 1]);
        while (reader.MoveNext())
        {
            read.Add((reader.Offset, reader.Current.Length));
        }

        Assert.Equal([(0, first.Length), (first.Length, second.Length)], read);
    }

    [Fact]
    public void A_field_is_read_alone_as_a_value_that_outlives_its_buffer()
    {
        var document = new BsonDocument { { "_id", new BsonDocument("k", 1) }, { "t", new BsonDateTime(1_000) } }.ToBson();
        Assert.Equal(new BsonDocument("k", 1), RawFields.Get(document, "_id"));
        Assert.Equal(new BsonDateTime(1_000), RawFields.Get(document, "t"));
        Assert.Null(RawFields.Get(document, "missing"));
    }

    [Fact]
    public void Skipped_documents_stay_in_the_batch_for_its_position_but_not_in_what_is_written()
    {
        using var buffer = new RawDocumentBuffer(16, ArrayPool<byte>.Shared);
        var documents = Enumerable.Range(0, 4).Select(i => new BsonDocument { { "_id", i }, { "x", new string('a', i * 10) } }.ToBson()).ToArray();
        foreach (var (document, i) in documents.Select((d, i) => (d, i)))
        {
            buffer.Append(document);
            if (i is 1 or 3)
            {
                buffer.SkipLast(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "too large");
            }
        }

        Assert.Same(buffer, buffer.Written);
        buffer.SealSkipped();
        Assert.Equal(4, buffer.Count);
        Assert.Equal(3, RawFields.Get(buffer.Last, "_id"u8)!.AsInt32);
        Assert.Equal([(1, "1"), (3, "3")], buffer.Skipped.Select(s => (s.Index, s.DocumentId)));
        Assert.Equal(2, buffer.Written.Count);
        Assert.Equal([.. documents[0], .. documents[2]], buffer.Written.Documents.ToArray());
    }
}
