using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Commands;

namespace Zenith.TestServers.Mongo.Wire;

/// <summary>
/// One client connection: reads OP_MSG (and the legacy OP_QUERY a driver may open with), runs each
/// command, writes the reply. Requests on a connection are served one at a time, as drivers expect.
/// A malformed message ends this connection only.
/// </summary>
internal sealed class WireConnection(Socket socket, CommandDispatcher dispatcher, int connectionId)
{
    private const int OpReply = 1;
    private const int OpQuery = 2004;
    private const int OpMsg = 2013;
    private const int HeaderSize = 16;
    private const int MaxMessageSize = 48_000_000 + 16 * 1024;
    private const uint ChecksumPresent = 1;
    private const uint MoreToCome = 2;

    private readonly MessageBuffer _output = new();
    private readonly ConnectionContext _connection = new(connectionId);
    private byte[] _input = new byte[64 * 1024];
    private int _nextRequestId;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var header = new byte[HeaderSize];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken) < HeaderSize)
                {
                    return;
                }
                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                var requestId = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                var opCode = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
                if (length <= HeaderSize || length > MaxMessageSize)
                {
                    return;
                }
                var bodyLength = length - HeaderSize;
                if (_input.Length < bodyLength)
                {
                    _input = new byte[Math.Max(bodyLength, _input.Length * 2)];
                }
                await stream.ReadExactlyAsync(_input.AsMemory(0, bodyLength), cancellationToken);
                _output.Reset();
                var reply = opCode switch
                {
                    OpMsg => await HandleMessageAsync(new ArraySegment<byte>(_input, 0, bodyLength), requestId, cancellationToken),
                    OpQuery => await HandleQueryAsync(new ArraySegment<byte>(_input, 0, bodyLength), requestId, cancellationToken),
                    _ => throw new FormatException($"unsupported opcode {opCode}"),
                };
                if (reply)
                {
                    await stream.WriteAsync(_output.Written, cancellationToken);
                }
                if (_input.Length > 64 * 1024 * 1024)
                {
                    _input = new byte[64 * 1024];
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException or EndOfStreamException
            or ArgumentOutOfRangeException or IndexOutOfRangeException or OperationCanceledException or ObjectDisposedException)
        {
            // Peer went away, the server is stopping, or the message was malformed: close this connection only.
        }
    }

    private async ValueTask<bool> HandleMessageAsync(ArraySegment<byte> body, int requestId, CancellationToken cancellationToken)
    {
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(body);
        var end = body.Count - ((flags & ChecksumPresent) != 0 ? 4 : 0);
        var position = 4;
        BsonDocument? command = null;
        var sequences = new Dictionary<string, List<ArraySegment<byte>>>(StringComparer.Ordinal);
        while (position < end)
        {
            var kind = body[position++];
            if (kind == 0)
            {
                var size = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(position));
                command = ReadBody(body.Slice(position, size), sequences);
                position += size;
            }
            else if (kind == 1)
            {
                var size = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(position));
                var sectionEnd = position + size;
                var nameEnd = body.AsSpan(position + 4).IndexOf((byte)0) + position + 4;
                var name = System.Text.Encoding.UTF8.GetString(body.AsSpan(position + 4, nameEnd - position - 4));
                var documents = new List<ArraySegment<byte>>();
                for (var p = nameEnd + 1; p < sectionEnd;)
                {
                    var docSize = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(p));
                    if (docSize < 5 || p + docSize > sectionEnd)
                    {
                        throw new FormatException("document sequence overruns its section");
                    }
                    documents.Add(body.Slice(p, docSize));
                    p += docSize;
                }
                sequences[name] = documents;
                position = sectionEnd;
            }
            else
            {
                throw new FormatException($"unknown OP_MSG section kind {kind}");
            }
        }
        if (command is null)
        {
            throw new FormatException("OP_MSG without a body section");
        }
        var start = BeginReply(OpMsg, requestId);
        _output.WriteInt32(0);
        _output.WriteByte(0);
        await dispatcher.ExecuteAsync(new CommandRequest(command, sequences), _output, _connection, cancellationToken);
        _output.PatchInt32(start, _output.Length - start);
        return (flags & MoreToCome) == 0;
    }

    // Legacy OP_QUERY on "<db>.$cmd", answered with OP_REPLY; drivers use it for the first handshake only.
    private async ValueTask<bool> HandleQueryAsync(ArraySegment<byte> body, int requestId, CancellationToken cancellationToken)
    {
        var nameEnd = body.AsSpan(4).IndexOf((byte)0) + 4;
        var collectionName = System.Text.Encoding.UTF8.GetString(body.AsSpan(4, nameEnd - 4));
        var docStart = nameEnd + 1 + 8;
        var size = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(docStart));
        var query = ReadDocument(body.Slice(docStart, size));
        if (query.TryGetValue("$query", out var wrapped) && wrapped is BsonDocument inner)
        {
            query = inner;
        }
        var start = BeginReply(OpReply, requestId);
        _output.WriteInt32(0);
        _output.WriteInt64(0);
        _output.WriteInt32(0);
        _output.WriteInt32(1);
        if (collectionName.EndsWith(".$cmd", StringComparison.Ordinal))
        {
            query["$db"] = collectionName[..^".$cmd".Length];
            await dispatcher.ExecuteAsync(new CommandRequest(query, new Dictionary<string, List<ArraySegment<byte>>>()), _output, _connection, cancellationToken);
        }
        else
        {
            _output.WriteDocument(new BsonDocument { { "$err", "OP_QUERY is only supported for commands" }, { "code", 352 } });
        }
        _output.PatchInt32(start, _output.Length - start);
        return true;
    }

    private int BeginReply(int opCode, int responseTo)
    {
        var start = _output.Length;
        _output.WriteInt32(0);
        _output.WriteInt32(Interlocked.Increment(ref _nextRequestId));
        _output.WriteInt32(responseTo);
        _output.WriteInt32(opCode);
        return start;
    }

    /// <summary>
    /// Reads the body section. The documents of an <c>insert</c> sent inside the body (the Node
    /// driver does; the C# driver sends a document sequence) are not decoded: they become the
    /// <c>documents</c> sequence, slices of the message, and only the rest of the body is decoded.
    /// </summary>
    private static BsonDocument ReadBody(ArraySegment<byte> body, Dictionary<string, List<ArraySegment<byte>>> sequences)
    {
        var span = body.AsSpan();
        if (!RawBson.IsWellFramed(span) || span.Length < 12 || span[4] != RawBson.TypeString || !span[5..].StartsWith("insert\0"u8)
            || !RawBson.TryFindField(span, "documents"u8, out var type, out var offset, out var size) || type != RawBson.TypeArray
            || offset + size > span.Length - 1 || size < 5)
        {
            return ReadDocument(body);
        }
        var documents = new List<ArraySegment<byte>>();
        var end = offset + size - 1;
        for (var p = offset + 4; p < end;)
        {
            var elementType = span[p++];
            var nameLength = span[p..end].IndexOf((byte)0);
            if (nameLength < 0)
            {
                throw new FormatException("document array overruns its field");
            }
            p += nameLength + 1;
            if (elementType != RawBson.TypeDocument || p + 4 > end)
            {
                // Not documents: decode it all, so the insert handler reports the usual error.
                return ReadDocument(body);
            }
            var docSize = BinaryPrimitives.ReadInt32LittleEndian(span[p..]);
            if (docSize < 5 || p + docSize > end)
            {
                throw new FormatException("document array overruns its field");
            }
            documents.Add(body.Slice(p, docSize));
            p += docSize;
        }
        // The body without the documents field: its element starts at the type byte before "documents\0".
        var elementStart = offset - "documents".Length - 2;
        var rest = new byte[span.Length - (offset + size - elementStart)];
        span[..elementStart].CopyTo(rest);
        span[(offset + size)..].CopyTo(rest.AsSpan(elementStart));
        BinaryPrimitives.WriteInt32LittleEndian(rest, rest.Length);
        sequences["documents"] = documents;
        return ReadDocument(rest);
    }

    private static BsonDocument ReadDocument(ArraySegment<byte> bytes)
    {
        try
        {
            return BsonSerializer.Deserialize<BsonDocument>(bytes.AsSpan().ToArray());
        }
        catch (Exception e) when (e is not FormatException)
        {
            throw new FormatException("malformed BSON document", e);
        }
    }
}
