using System.Runtime.CompilerServices;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;
using Zenith.Core.Verify;

namespace Zenith.Sync.Verify;

/// <summary>
/// The MongoDB side of the id comparison: a connector's <c>_id</c>s (and cursor values) through its filter, read with the
/// <c>_id</c> index in <c>_id</c> order, in batches, at the verification's rate; and the re-reads by id.
/// </summary>
internal sealed class MongoIds(IMongoCollection<RawBsonDocument> collection, BsonDocument? userFilter, string? cursorField, RateGate rate)
{
    private const int BatchSize = 10_000;

    /// <summary>The documents of one bracket, in MongoDB's <c>_id</c> order.</summary>
    public IAsyncEnumerable<IdEntry> ReadAsync(IdBracket bracket, Func<IdCodec> codecs, CancellationToken ct) => ReadAsync(bracket.Filter(), codecs, ct);

    /// <summary>The documents whose <c>_id</c> is of a bracket MongoDB does not order as text, bracket after bracket.</summary>
    public async IAsyncEnumerable<IdEntry> ReadOthersAsync(Func<IdCodec> codecs, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var bracket in IdBracket.All.Where(b => !b.OrderedAsText))
        {
            await foreach (var entry in ReadAsync(bracket, codecs, ct))
            {
                yield return entry;
            }
        }
    }

    private async IAsyncEnumerable<IdEntry> ReadAsync(BsonDocument idFilter, Func<IdCodec> codecs, [EnumeratorCancellation] CancellationToken ct)
    {
        using var codec = codecs();
        // Each document becomes its entry inside the driver's own decoding: no RawBsonDocument, no copy but one.
        var serializer = new EntrySerializer(codec);
        var options = new FindOptions<RawBsonDocument, IdEntry?>
        {
            Projection = new BsonDocumentProjectionDefinition<RawBsonDocument, IdEntry?>(ProjectionDocument(), serializer),
            Sort = new BsonDocument("_id", 1),
            Hint = new BsonDocument("_id", 1),
            BatchSize = BatchSize,
        };
        using var cursor = await collection.FindAsync(new BsonDocumentFilterDefinition<RawBsonDocument>(And(userFilter, idFilter)), options, ct);
        while (await cursor.MoveNextAsync(ct))
        {
            var batch = cursor.Current as IReadOnlyCollection<IdEntry?> ?? [.. cursor.Current];
            await rate.TakeAsync(batch.Count, ct);
            foreach (var entry in batch)
            {
                if (entry is not null)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>Decodes each document of a reply straight into its <see cref="IdEntry"/> (null when it has no writable <c>_id</c>).</summary>
    private sealed class EntrySerializer(IdCodec codec) : SerializerBase<IdEntry?>
    {
        private byte[] _buffer = new byte[256];

        public override IdEntry? Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
        {
            using var slice = context.Reader.ReadRawBsonDocument();
            if (slice.Length > _buffer.Length)
            {
                _buffer = new byte[Math.Max(slice.Length, _buffer.Length * 2)];
            }

            slice.GetBytes(0, _buffer, 0, slice.Length);
            return codec.Entry(_buffer.AsSpan(0, slice.Length));
        }
    }

    /// <summary>The documents among <paramref name="ids"/> that pass <paramref name="filter"/> now (projected to <c>_id</c> and the cursor).</summary>
    public async Task<List<IdEntry>> FindAsync(IReadOnlyCollection<BsonValue> ids, BsonDocument? filter, IdCodec codec, CancellationToken ct)
    {
        var found = new List<IdEntry>();
        if (ids.Count == 0)
        {
            return found;
        }

        await rate.TakeAsync(ids.Count, ct);
        var query = And(filter, new BsonDocument("_id", new BsonDocument("$in", new BsonArray(ids))));
        using var cursor = await collection.FindAsync(
            new BsonDocumentFilterDefinition<RawBsonDocument>(query), new FindOptions<RawBsonDocument> { Projection = Projection() }, ct);
        while (await cursor.MoveNextAsync(ct))
        {
            foreach (var document in cursor.Current)
            {
                using (document)
                {
                    if (codec.Entry(Bytes(document)) is { } entry)
                    {
                        found.Add(entry);
                    }
                }
            }
        }

        return found;
    }

    private ProjectionDefinition<RawBsonDocument> Projection() => new BsonDocumentProjectionDefinition<RawBsonDocument>(ProjectionDocument());

    private BsonDocument ProjectionDocument()
    {
        var projection = new BsonDocument("_id", 1);
        if (cursorField is not null)
        {
            projection[cursorField] = 1;
        }

        return projection;
    }

    public static BsonDocument And(BsonDocument? a, BsonDocument? b) =>
        a is null || a.ElementCount == 0 ? b ?? [] : b is null || b.ElementCount == 0 ? a : new BsonDocument("$and", new BsonArray { a, b });

    public static byte[] Bytes(RawBsonDocument document)
    {
        var slice = document.Slice;
        var bytes = new byte[slice.Length];
        slice.GetBytes(0, bytes, 0, slice.Length);
        return bytes;
    }
}
