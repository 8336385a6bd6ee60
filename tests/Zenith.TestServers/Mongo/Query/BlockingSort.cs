using MongoDB.Bson;
using Zenith.TestServers.Mongo.Commands;
using Zenith.TestServers.Mongo.Storage;

namespace Zenith.TestServers.Mongo.Query;

/// <summary>
/// A sort no index provides: every match is read and sorted in memory before the first result, as
/// mongod's SORT stage does (so the result is a snapshot). With a limit only the best skip + limit
/// are kept. mongod allows 100 MB for it; past that it spills to disk unless the command said
/// <c>allowDiskUse: false</c>, which fails with QueryExceededMemoryLimitNoDiskUseAllowed (292).
/// </summary>
internal static class BlockingSort
{
    public const long MemoryLimitBytes = 100L * 1024 * 1024;

    public static List<Record> Run(IEnumerable<Record> matches, SortSpec sort, long skip, long limit, bool? allowDiskUse, string commandName)
    {
        var keep = limit > 0 ? skip + limit : long.MaxValue;
        // A small top-k keeps a sorted list of the best; anything else sorts once at the end.
        var topK = keep <= 1000;
        var scratch = new List<BsonValue>();
        var items = new List<Item>();
        long bytes = 0;
        long seq = 0;
        foreach (var record in matches)
        {
            var item = new Item(sort.KeyOf(new RawFieldSource(record.Document.Bytes), scratch), seq++, record);
            if (topK)
            {
                if (items.Count >= keep)
                {
                    if (Compare(sort, item, items[^1]) >= 0)
                    {
                        continue;
                    }
                    bytes -= items[^1].Record.Document.Bytes.Length;
                    items.RemoveAt(items.Count - 1);
                }
                var at = items.BinarySearch(item, Comparer<Item>.Create((a, b) => Compare(sort, a, b)));
                items.Insert(at < 0 ? ~at : at, item);
            }
            else
            {
                items.Add(item);
            }
            bytes += record.Document.Bytes.Length;
            if (bytes > MemoryLimitBytes && allowDiskUse == false)
            {
                throw new CommandException(292, "QueryExceededMemoryLimitNoDiskUseAllowed",
                    $"Executor error during {commandName} command :: caused by :: Sort exceeded memory limit of {MemoryLimitBytes} bytes, but did not opt in to external sorting.");
            }
        }
        OperationDeadline.Check();
        if (!topK)
        {
            items.Sort((a, b) => Compare(sort, a, b));
        }
        IEnumerable<Item> result = items.Skip((int)Math.Min(skip, int.MaxValue));
        if (limit > 0)
        {
            result = result.Take((int)Math.Min(limit, int.MaxValue));
        }
        return [.. result.Select(s => s.Record)];
    }

    // Ties keep the order the scan produced them in, so results are deterministic.
    private static int Compare(SortSpec sort, Item a, Item b)
    {
        var c = sort.CompareKeys(a.Key, b.Key);
        return c != 0 ? c : a.Seq.CompareTo(b.Seq);
    }

    private readonly record struct Item(BsonValue[] Key, long Seq, Record Record);
}
