using MongoDB.Bson;
using Zenith.Core.Connectors;

namespace Zenith.Sync.Tests.Mapping;

/// <summary>
/// Generators of documents shaped like public MongoDB sample data sets (made here from a fixed seed; no data set is copied):
/// the shapes real collections have and a flattener trips on. Each gives its documents and the mapping it runs with.
/// </summary>
public static class RealWorldShapes
{
    public static readonly string[] Names = ["customers", "countries", "grades", "geo", "tweets", "profiler", "awkward_names", "mixed_ids"];

    public static (IReadOnlyList<BsonDocument> Documents, MappingOptions Mapping) Create(string name)
    {
        var random = new Random(13);
        return name switch
        {
            // A small budget, so the id-keyed map and the overflow both show.
            "customers" => (Many(120, i => Customer(i, random)), new MappingOptions { MaxColumns = 14 }),
            "countries" => (Many(120, i => Country(i, random)), MappingOptions.Default),
            "grades" => (Many(150, i => Grades(i, random)), MappingOptions.Default),
            "geo" => (Many(100, i => Place(i, random)), MappingOptions.Default),
            "tweets" => (Many(120, i => Tweet(i, random)), MappingOptions.Default),
            "profiler" => (Many(150, i => Profile(i, random)), MappingOptions.Default),
            "awkward_names" => (Many(40, i => Awkward(i)), MappingOptions.Default),
            "mixed_ids" => (Many(60, i => MixedId(i, random)), MappingOptions.Default),
            _ => throw new ArgumentException($"unknown shape {name}", nameof(name)),
        };
    }

    private static List<BsonDocument> Many(int count, Func<int, BsonDocument> create) => [.. Enumerable.Range(0, count).Select(create)];

    private static string Hex(Random random, int length) => Convert.ToHexStringLower(Enumerable.Range(0, length / 2).Select(_ => (byte)random.Next(256)).ToArray());

    private static readonly string[] Tiers = ["Bronze", "Silver", "Gold", "Platinum"];
    private static readonly string[] Benefits = ["sports lounge", "dedicated account representative", "shopping discounts", "car rental insurance", "airline lounge access", "24 hour dedicated line", "travel insurance", "concierge services"];

    /// <summary>Customers whose <c>tier_and_details</c> is keyed by generated 32-hex ids: one map, not a column per key.</summary>
    private static BsonDocument Customer(int i, Random random)
    {
        var tiers = new BsonDocument();
        for (var t = random.Next(0, 4); t > 0; t--)
        {
            var id = Hex(random, 32);
            tiers[id] = new BsonDocument
            {
                { "tier", Tiers[random.Next(Tiers.Length)] },
                { "id", id },
                { "active", random.Next(2) == 0 },
                { "benefits", new BsonArray(Benefits.OrderBy(_ => random.Next()).Take(random.Next(0, 3))) },
            };
        }

        var document = new BsonDocument
        {
            { "_id", ObjectId.Parse($"5ca4bbcea2dd94ee58162{i:x3}") },
            { "username", $"user{i}" },
            { "name", $"Customer {i}" },
            { "address", $"{random.Next(1, 9999)} Main Street, Springfield" },
            { "birthdate", new DateTime(1950, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(random.Next(20_000)).AddMilliseconds(random.Next(86_400_000)) },
            { "email", $"user{i}@example.com" },
            { "active", i % 5 != 0 },
            { "accounts", new BsonArray(Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(100_000, 999_999))) },
            { "tier_and_details", tiers },
        };
        if (i % 7 == 0)
        {
            // Rare fields: beyond the budget of this shape, they go to _zenith_extra.
            document["notes"] = new BsonDocument { { "source", "import" }, { "score", random.NextDouble() }, { "flag" + (i % 3), true } };
        }

        return document;
    }

    private static readonly string[] Languages = ["eng", "fra", "deu", "spa", "por", "ita", "nld", "rus", "ara", "zho", "jpn", "kor", "swe", "pol", "tur", "hin", "ell", "fin"];
    private static readonly string[] Currencies = ["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "TRY", "INR", "BRL", "CNY", "KRW"];

    /// <summary>Countries with per-language and per-currency maps of sub-documents, and a per-language map of strings.</summary>
    private static BsonDocument Country(int i, Random random)
    {
        var spoken = Languages.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
        var native = new BsonDocument();
        var languages = new BsonDocument();
        foreach (var code in spoken)
        {
            native[code] = new BsonDocument { { "official", $"Republic {i} ({code})" }, { "common", $"Country {i} ({code})" } };
            languages[code] = $"Language {code}";
        }

        var translations = new BsonDocument();
        foreach (var code in Languages.Where(_ => random.Next(3) > 0))
        {
            translations[code] = new BsonDocument { { "official", $"Official {i} in {code}" }, { "common", $"Common {i} in {code}" } };
        }

        var currencies = new BsonDocument();
        foreach (var code in Currencies.OrderBy(_ => random.Next()).Take(random.Next(1, 3)))
        {
            currencies[code] = new BsonDocument { { "name", $"Currency {code}" }, { "symbol", code[..1] } };
        }

        return new BsonDocument
        {
            { "_id", ObjectId.Parse($"6600000000000000000{i:x5}") },
            { "name", new BsonDocument { { "common", $"Country {i}" }, { "official", $"Republic of Country {i}" }, { "native", native } } },
            { "cca2", $"C{(char)('A' + (i % 26))}" },
            { "independent", i % 4 != 0 },
            { "capital", new BsonArray { $"Capital {i}" } },
            { "languages", languages },
            { "translations", translations },
            { "currencies", currencies },
            { "latlng", new BsonArray { Math.Round((random.NextDouble() * 180) - 90, 4), Math.Round((random.NextDouble() * 360) - 180, 4) } },
            // Areas are doubles, some whole numbers stored as ints: Float64 holds both exactly.
            { "area", i % 3 == 0 ? (BsonValue)random.Next(1, 9_000_000) : random.NextDouble() * 1e6 },
            { "population", (long)random.Next(1000, int.MaxValue) * (i % 2 == 0 ? 1 : 3) },
        };
    }

    private static readonly string[] ScoreTypes = ["exam", "quiz", "homework", "homework"];

    /// <summary>Student grades: <c>scores</c> is an array of <c>{type, score}</c>, a Nested group.</summary>
    private static BsonDocument Grades(int i, Random random) => new()
    {
        { "_id", ObjectId.Parse($"56d5f7eb604eb380b0d{i:x5}") },
        { "student_id", i / 3 },
        { "class_id", random.Next(0, 500) },
        { "scores", new BsonArray(Enumerable.Range(0, random.Next(0, 5)).Select(k => new BsonDocument { { "type", ScoreTypes[k % ScoreTypes.Length] }, { "score", random.NextDouble() * 100 } })) },
    };

    /// <summary>Places with a GeoJSON point and, for some, a polygon (arrays of rings of positions).</summary>
    private static BsonDocument Place(int i, Random random)
    {
        var lng = (random.NextDouble() * 360) - 180;
        var lat = (random.NextDouble() * 180) - 90;
        var document = new BsonDocument
        {
            { "_id", i },
            { "name", $"Place {i}" },
            { "location", new BsonDocument { { "type", "Point" }, { "coordinates", new BsonArray { lng, lat } } } },
        };
        if (i % 2 == 0)
        {
            var ring = new BsonArray(Enumerable.Range(0, 4).Select(k => new BsonArray { lng + (k % 2 * 0.01), lat + (k / 2 * 0.01) })) { new BsonArray { lng, lat } };
            document["area"] = new BsonDocument { { "type", "Polygon" }, { "coordinates", new BsonArray { ring } } };
        }

        return document;
    }

    /// <summary>Tweets: snowflake ids beyond 2^53, deep user and entities trees, arrays of entity documents, a quoted tweet.</summary>
    private static BsonDocument Tweet(int i, Random random)
    {
        var id = 1_234_567_890_123_456_789L + (i * 7_919L);
        BsonDocument User(int n) => new()
        {
            { "id", 10_000_000_000L + n },
            { "screen_name", $"user_{n}" },
            { "followers_count", random.Next(0, 100_000) },
            { "verified", n % 10 == 0 },
            { "created_at", new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(n * 37) },
            { "profile", new BsonDocument { { "location", n % 3 == 0 ? BsonNull.Value : $"City {n % 17}" }, { "lang", n % 2 == 0 ? "en" : "fr" } } },
        };

        var entities = new BsonDocument
        {
            { "hashtags", new BsonArray(Enumerable.Range(0, random.Next(0, 3)).Select(k => new BsonDocument { { "text", $"tag{k}" }, { "start", k * 5 } })) },
            { "user_mentions", new BsonArray(Enumerable.Range(0, random.Next(0, 2)).Select(k => new BsonDocument { { "screen_name", $"user_{k}" }, { "id", 10_000_000_000L + k } })) },
        };
        var tweet = new BsonDocument
        {
            { "_id", id },
            { "text", $"Tweet number {i} with a 🚀 and \"quotes\"" },
            { "created_at", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 61) },
            { "user", User(i % 30) },
            { "entities", entities },
            { "retweet_count", i % 4 == 0 ? 1.0 : i },
        };
        if (i % 5 == 0)
        {
            tweet["quoted_status"] = new BsonDocument { { "id", id - 1 }, { "text", "quoted" }, { "user", User((i + 1) % 30) } };
        }

        return tweet;
    }

    /// <summary>Profiler output: the <c>command</c> sub-document has a different shape for each operation.</summary>
    private static BsonDocument Profile(int i, Random random)
    {
        var op = (i % 4) switch { 0 => "query", 1 => "insert", 2 => "update", _ => "command" };
        var command = op switch
        {
            "query" => new BsonDocument { { "find", "orders" }, { "filter", new BsonDocument("status", "A") }, { "limit", random.Next(1, 100) }, { "$db", "shop" } },
            "insert" => new BsonDocument { { "insert", "orders" }, { "ordered", true }, { "documents", random.Next(1, 50) }, { "$db", "shop" } },
            "update" => new BsonDocument { { "update", "orders" }, { "updates", new BsonArray { new BsonDocument { { "q", new BsonDocument("_id", i) }, { "u", new BsonDocument("$set", new BsonDocument("x", i)) } } } }, { "$db", "shop" } },
            _ => new BsonDocument { { "aggregate", "orders" }, { "pipeline", new BsonArray { new BsonDocument("$match", new BsonDocument("x", new BsonDocument("$gt", i))) } }, { "cursor", new BsonDocument() }, { "$db", "shop" } },
        };
        if (i % 9 == 0)
        {
            command["comment"] = $"request {i}";
        }

        if (i % 11 == 0)
        {
            command["hint" + (i % 5)] = new BsonDocument("status", 1);
        }

        return new BsonDocument
        {
            { "_id", ObjectId.Parse($"65aaaaaaaaaaaaaaaaa{i:x5}") },
            { "op", op },
            { "ns", "shop.orders" },
            { "command", command },
            { "millis", random.Next(0, 500) },
            { "ts", new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i) },
            { "planSummary", op == "insert" ? BsonNull.Value : "IXSCAN { status: 1 }" },
        };
    }

    /// <summary>Field names with a byte-order mark, spaces, dots, '$', '%', emoji; a dot field beside the path it looks like.</summary>
    private static BsonDocument Awkward(int i) => new()
    {
        { "_id", $"doc-{i}" },
        { "\uFEFFbom", i },
        { "with space", $"s{i}" },
        { "dot.ted", i * 2 },
        { "dot", new BsonDocument("ted", i * 3) },
        { "$price", i + 0.25 },
        { "emoji 🚀", i % 2 == 0 },
        { "100%", i },
        { "meta", new BsonDocument { { "a.b", i }, { "a%2Eb", -i }, { "ünï", "x" } } },
        { "tags", new BsonArray { "dot.tag", "b" } },
    };

    /// <summary>A collection where some documents have ObjectId ids and others string ids, with sentinel dates and big integers meeting doubles.</summary>
    private static BsonDocument MixedId(int i, Random random) => new()
    {
        { "_id", i % 2 == 0 ? ObjectId.Parse($"5f00000000000000000{i:x5}") : (BsonValue)$"legacy-{i}" },
        // Integers beyond 2^53 with doubles: Int64 keeps them exact, the fractions go to _zenith_extra.
        { "amount", i % 6 == 0 ? 9_007_199_254_740_993L + i : i % 6 == 3 ? (BsonValue)(i + 0.5) : random.Next(0, 1000) },
        { "ratio", i % 6 == 1 ? 0.5 : random.Next(0, 10) },
        // Sentinel dates outside DateTime64's range: the column stays a date, the value goes to _zenith_extra.
        { "valid_until", i % 10 == 0 ? new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc) : i % 10 == 1 ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) : new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i) },
        { "decimal", Decimal128.Parse($"{i}.{i:D3}") },
    };
}
