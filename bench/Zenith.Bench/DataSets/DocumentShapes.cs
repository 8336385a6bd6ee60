using MongoDB.Bson;

namespace Zenith.Bench.DataSets;

/// <summary>
/// The document shapes of the benchmark. Each shape is a pure function of (sequence number, random
/// stream), so a data set is the same on every machine for the same seed. Every shape carries the
/// top-level fields the correctness check reads: <c>_id</c>, <c>seq</c>, <c>kind</c>, <c>updated_at</c>, <c>bucket</c>.
/// </summary>
internal abstract class DocumentShape
{
    public static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public abstract string Name { get; }

    public abstract int Tag { get; }

    public abstract BsonDocument Create(long seq, Random random);

    /// <summary>Ascending with <paramref name="seq"/> (ObjectIds compare bytewise), unique per shape.</summary>
    public ObjectId IdFor(long seq)
    {
        var bytes = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, 0x6950_0000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), Tag);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), checked((int)seq));
        return new ObjectId(bytes);
    }

    protected static BsonDocument Header(ObjectId id, long seq, string kind, Random random) => new()
    {
        { "_id", id },
        { "seq", seq },
        { "kind", kind },
        { "updated_at", Epoch.AddMilliseconds(seq * 10) },
        { "bucket", (int)(seq % 100) },
        { "organization_id", random.Next(1, 500) },
    };

    protected static string Text(Random random, int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_/";
        return string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = Alphabet[r.Next(Alphabet.Length)];
        });
    }

    protected static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}

/// <summary>Flat events, about 300 bytes of BSON: scalars only.</summary>
internal sealed class FlatShape : DocumentShape
{
    private static readonly string[] Kinds = ["click", "view", "purchase", "signup", "login", "logout", "search", "share"];

    public override string Name => "flat";

    public override int Tag => 1;

    public override BsonDocument Create(long seq, Random random)
    {
        var doc = Header(IdFor(seq), seq, Pick(random, Kinds), random);
        doc.Add("user_id", random.Next(1, 1_000_000));
        doc.Add("ts", Epoch.AddSeconds(seq));
        doc.Add("value", Math.Round(random.NextDouble() * 1000, 3));
        doc.Add("count", random.Next(0, 100));
        doc.Add("ok", random.Next(2) == 0);
        doc.Add("session", random.NextInt64(1L << 40, 1L << 50));
        doc.Add("name", Text(random, 40));
        doc.Add("path", "/" + Text(random, 60));
        return doc;
    }
}

/// <summary>Monitoring events shaped like seed 001 (active windows, visited sites, screenshots, sessions), about 1 KB, three levels deep.</summary>
internal sealed class NestedShape : DocumentShape
{
    private static readonly string[] Kinds = ["active_window", "visited_site", "screenshot", "user_session"];
    private static readonly string[] Processes = ["chrome.exe", "code.exe", "slack.exe", "excel.exe", "outlook.exe", "teams.exe"];
    private static readonly string[] Oses = ["windows", "macos", "linux"];

    public override string Name => "nested";

    public override int Tag => 2;

    public override BsonDocument Create(long seq, Random random)
    {
        var doc = Header(IdFor(seq), seq, Pick(random, Kinds), random);
        var at = Epoch.AddMilliseconds(seq * 250);
        doc.Add("users_on_computers_id", random.Next(1, 50_000));
        doc.Add("datetime", at);
        doc.Add("agent", new BsonDocument
        {
            { "version", $"3.{random.Next(10)}.{random.Next(40)}" },
            { "os", new BsonDocument { { "name", Pick(random, Oses) }, { "version", $"{random.Next(10, 15)}.{random.Next(10)}" }, { "arch", "x64" } } },
            { "host", new BsonDocument { { "name", "ws-" + Text(random, 10) }, { "ip", $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}" } } },
        });
        doc.Add("window", new BsonDocument
        {
            { "title", Text(random, 90) },
            { "process_name", Pick(random, Processes) },
            { "icon", Text(random, 120) },
            { "active_time", random.Next(1, 3600) },
        });
        doc.Add("site", new BsonDocument
        {
            { "url", "https://" + Text(random, 100) },
            { "domain", Text(random, 16) + ".com" },
            { "duration_ms", random.NextInt64(10, 10_000_000) },
        });
        doc.Add("screen", new BsonDocument
        {
            { "width", 1920 },
            { "height", 1080 },
            { "file", new BsonDocument { { "path", "/screens/" + Text(random, 70) }, { "size", random.NextInt64(10_000, 5_000_000) }, { "sha256", Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Text(random, 48) } } },
        });
        doc.Add("session", new BsonDocument
        {
            { "started_at", at.AddMinutes(-random.Next(1, 600)) },
            { "ended_at", at },
            { "idle_seconds", random.Next(0, 3600) },
            { "locked", random.Next(4) == 0 },
        });
        doc.Add("tags", new BsonArray { Text(random, 8), Text(random, 8), Text(random, 8) });
        return doc;
    }
}

/// <summary>Wide documents, about 7 KB: 200 top-level fields of five scalar types.</summary>
internal sealed class WideShape : DocumentShape
{
    private static readonly string[] FieldNames = Enumerable.Range(0, 200).Select(i => $"metric_field_{i:D3}").ToArray();

    public override string Name => "wide";

    public override int Tag => 3;

    public override BsonDocument Create(long seq, Random random)
    {
        var doc = Header(IdFor(seq), seq, "wide", random);
        for (var i = 0; i < FieldNames.Length; i++)
        {
            BsonValue value = (i % 5) switch
            {
                0 => random.Next(),
                1 => random.NextDouble() * 1e6,
                2 => Text(random, 60),
                3 => Epoch.AddSeconds(random.Next(0, 100_000_000)),
                _ => random.NextInt64(),
            };
            doc.Add(FieldNames[i], value);
        }
        return doc;
    }
}

/// <summary>
/// Messy documents: six levels of nesting (deeper than the default depth limit), optional fields,
/// fields that appear only in the last 40% of the collection, one field per conflict kind
/// (int/double/string/null, bool/string/int, int32/int64, array of strings/mixed array, document/string),
/// and field names with spaces and non-ASCII letters.
/// </summary>
internal sealed class MessyShape(int totalDocuments) : DocumentShape
{
    private static readonly string[] Kinds = ["order", "refund", "note", "ticket"];
    private static readonly string[] OptionalNames = Enumerable.Range(0, 20).Select(i => $"opt_{i:D2}").ToArray();

    public override string Name => "messy";

    public override int Tag => 4;

    public override BsonDocument Create(long seq, Random random)
    {
        var doc = Header(IdFor(seq), seq, Pick(random, Kinds), random);
        doc.Add("score", (seq % 5) switch
        {
            0 => (BsonValue)random.Next(100),
            1 => random.NextDouble() * 100,
            2 => "n/a",
            3 => BsonNull.Value,
            _ => random.Next(100),
        });
        doc.Add("flag", (seq % 3) switch { 0 => (BsonValue)true, 1 => "yes", _ => 1 });
        doc.Add("amount", seq % 2 == 0 ? (BsonValue)random.Next() : random.NextInt64(1L << 33, 1L << 60));
        doc.Add("labels", seq % 4 == 0
            ? new BsonArray { 1, "two", true, 4.5 }
            : new BsonArray { Text(random, 6), Text(random, 6) });
        doc.Add("attrs", seq % 7 == 0
            ? (BsonValue)Text(random, 30)
            : new BsonDocument { { "color", Text(random, 5) }, { "size", random.Next(1, 50) } });
        doc.Add("with space", Text(random, 12));
        doc.Add("ünïcode_名前", Text(random, 12));
        doc.Add("deep", new BsonDocument("l1", new BsonDocument("l2", new BsonDocument("l3", new BsonDocument("l4",
            new BsonDocument { { "l5", new BsonDocument { { "v", random.Next() }, { "s", Text(random, 20) } } }, { "n", random.NextDouble() } })))));
        foreach (var name in OptionalNames)
        {
            if (random.Next(10) < 3)
                doc.Add(name, Text(random, 16));
        }
        if (seq >= totalDocuments * 6L / 10)
        {
            doc.Add("late_field", Text(random, 24));
            doc.Add("late_obj", new BsonDocument { { "a", random.Next() }, { "b", Text(random, 10) } });
        }
        doc.Add("note", Text(random, 200));
        return doc;
    }
}
