using System.Buffers.Binary;
using MongoDB.Bson;
using Zenith.TestServers.Mongo.Bson;
using Zenith.TestServers.Mongo.Query;
using Zenith.TestServers.Mongo.Sessions;
using Zenith.TestServers.Mongo.Storage;
using Zenith.TestServers.Mongo.Wire;

namespace Zenith.TestServers.Mongo.Commands;

/// <summary>insert: documents stay the bytes the client sent; per-document write errors, ordered or not, as mongod reports them.</summary>
internal sealed partial class CommandDispatcher
{
    private const int MaxDocumentBytes = 16 * 1024 * 1024;
    private static readonly byte[] IdName = "_id"u8.ToArray();
    private static readonly IReadOnlySet<string> InsertFields = CommandOptions.Fields("documents", "ordered", "bypassDocumentValidation");

    private void Insert(CommandRequest request, MessageBuffer output)
    {
        request.Validate(InsertFields);
        var ordered = request.OptionalBool("ordered", fallback: true);
        var collection = GetOrCreateCollection(request, out _);
        var documents = new List<(StoredDocument? Document, CommandException? Error)>();
        if (request.Sequences.TryGetValue("documents", out var sequence))
        {
            // One slab for the whole message: the documents are copied out of the reused receive buffer once.
            var slab = new byte[sequence.Sum(segment => segment.Count)];
            var offset = 0;
            foreach (var segment in sequence)
            {
                segment.AsSpan().CopyTo(slab.AsSpan(offset));
                documents.Add(Prepare(slab.AsMemory(offset, segment.Count), documents.Count));
                offset += segment.Count;
            }
        }
        else
        {
            foreach (var doc in request.Body.GetValue("documents", new BsonArray()).AsBsonArray)
            {
                documents.Add(Prepare(doc.AsBsonDocument.ToBson(), documents.Count));
            }
        }
        var inserted = 0;
        var writeErrors = new BsonArray();
        var next = 0;
        var stopped = false;
        while (next < documents.Count && !stopped)
        {
            Transaction? holder = null;
            lock (collection.Sync)
            {
                for (; next < documents.Count; next++)
                {
                    var (document, error) = documents[next];
                    if (document is not null)
                    {
                        try
                        {
                            request.Access.Insert(collection, document);
                            inserted++;
                            continue;
                        }
                        catch (TransactionBlockedException blocked)
                        {
                            holder = blocked.Holder;
                            break;
                        }
                        catch (CommandException e) when (!AbortsTheCommand(request, e))
                        {
                            error = e;
                        }
                    }
                    writeErrors.Add(WriteError(next, error!));
                    if (ordered)
                    {
                        stopped = true;
                        break;
                    }
                }
            }
            // A document an open transaction holds: wait for it to end, as mongod's insert does, then go on from there.
            if (holder is not null)
            {
                holder.Completed.Wait(OperationDeadline.Remaining(SessionRegistry.TransactionLifetimeLimit + TimeSpan.FromSeconds(5)));
                OperationDeadline.Check();
            }
        }
        output.WriteDocument(WriteReply(request, inserted, null, null, writeErrors));
    }

    /// <summary>
    /// Checks one document and reads its <c>_id</c>, which mongod stores first: it is moved to the front
    /// when it is elsewhere, and an ObjectId is added when the client sent none.
    /// </summary>
    private static (StoredDocument?, CommandException?) Prepare(ReadOnlyMemory<byte> stored, int index)
    {
        var bytes = stored.Span;
        if (!RawBson.IsWellFramed(bytes))
        {
            throw CommandException.BadValue($"document {index} is not valid BSON");
        }
        if (bytes.Length > MaxDocumentBytes)
        {
            return (null, new CommandException(10334, "BSONObjectTooLarge", $"object to insert too large. size in bytes: {bytes.Length}, max size: {MaxDocumentBytes}"));
        }
        if (!RawBson.TryFindField(bytes, IdName, out var type, out var offset, out var size))
        {
            var generated = new BsonObjectId(ObjectId.GenerateNewId());
            var copy = new byte[bytes.Length + 1 + 4 + 12];
            BinaryPrimitives.WriteInt32LittleEndian(copy, copy.Length);
            copy[4] = RawBson.TypeObjectId;
            IdName.CopyTo(copy.AsSpan(5));
            generated.Value.ToByteArray().CopyTo(copy, 9);
            bytes[4..].CopyTo(copy.AsSpan(21));
            return (new StoredDocument(generated, copy), null);
        }
        var id = RawBson.ReadValue(type, bytes.Slice(offset, size));
        if (InvalidId(id) is { } invalid)
        {
            return (null, invalid);
        }
        var elementStart = offset - IdName.Length - 2;
        if (elementStart == 4)
        {
            return (new StoredDocument(id, stored), null);
        }
        var reordered = new byte[bytes.Length];
        bytes[..4].CopyTo(reordered);
        var idElement = bytes[elementStart..(offset + size)];
        idElement.CopyTo(reordered.AsSpan(4));
        bytes[4..elementStart].CopyTo(reordered.AsSpan(4 + idElement.Length));
        bytes[(offset + size)..].CopyTo(reordered.AsSpan(elementStart + idElement.Length));
        return (new StoredDocument(id, reordered), null);
    }

    private static CommandException? InvalidId(BsonValue id) => id switch
    {
        BsonArray or BsonRegularExpression or BsonUndefined =>
            new CommandException(53, "InvalidIdField", $"The '_id' value cannot be of type {IdTypeName(id)}"),
        BsonDocument d when d.Names.FirstOrDefault(n => n.StartsWith('$')) is { } dollar =>
            new CommandException(52, "DollarPrefixedFieldName", $"_id fields may not contain '$'-prefixed fields: {dollar} is not valid for storage."),
        _ => null,
    };

    private static string IdTypeName(BsonValue id) => id switch
    {
        BsonArray => "array",
        BsonRegularExpression => "regex",
        _ => "undefined",
    };
}
