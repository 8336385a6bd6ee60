using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using MongoDB.Bson;
using Xunit.Abstractions;
using Zenith.Service.Tests.Infrastructure;
using Zenith.TestServers.Faults;

namespace Zenith.Service.Tests.Adversarial;

/// <summary>
/// Issue 14's adversarial suite: hostile and malformed requests against one keyless service that holds real secrets (a
/// ClickHouse that demands its password, MongoDB and option secrets). Each must be answered with a clear error or state,
/// change nothing stored, and carry no secret; at the end no secret is in any response, log line, metric or in the SQLite
/// file's plain text, and the listeners Zenith was pointed at received no password. The report (tried, refused, got
/// through) is written to the test output. The browser's side (a cross-site form post, a rebound host name, the password
/// prompt, the unreadable state) is tests/e2e/hardening.test.mjs; the Kestrel override is StartupTests.
/// </summary>
[Collection(ServiceServersCollection.Name)]
public sealed class HostileRequestsTests(ServiceServers servers, ITestOutputHelper output)
{
    private const string MongoPassword = "Adv-M0ngo-pw-7731";
    private const string SessionToken = "FwoGZXIvYXdzEJr-adv-session-token";
    private const string KeyFilePassword = "Adv-k3y-file-pw-0042";
    private const string StrangerBody = "<html>internal build token jnk-5e5e-stranger-body 42</html>";

    private readonly List<(string Name, string Outcome, bool GotThrough)> report = [];
    private readonly StringBuilder answers = new();

    [Fact]
    public async Task Forty_hostile_requests_are_refused_change_nothing_and_leak_no_secret()
    {
        var mongoDb = servers.Mongo.NewDatabaseName("adv");
        var chDb = servers.NewClickHouseDatabase("adv");
        await Seed.InsertAsync(servers, mongoDb, "visits", 20);
        await using var listener = new RecordingListener();
        await using var stranger = new RecordingListener(500, StrangerBody);
        await using var garbage = new RecordingListener(200, StrangerBody);
        using var app = new ZenithApp(settings: new() { ["processing:max_document_bytes"] = "65536", ["timeouts:run_seconds"] = "15" });
        using var client = app.CreateClient();
        var ch = new Uri(servers.ClickHouseUri);
        var mongoHostPort = servers.Mongo.ConnectionString.Split("://")[1].Split('/')[0];
        var victimSource = $"mongodb://app:{MongoPassword}@{mongoHostPort}/?authMechanism=SCRAM-SHA-256&authMechanismProperties=AWS_SESSION_TOKEN:{SessionToken}&tlsCertificateKeyFilePassword={KeyFilePassword}&serverSelectionTimeoutMS=500";

        // The victim: a connector holding every kind of secret. Paused, so nothing but a hostile request could change it.
        var victim = (await client.PostJsonAsync("/api/connectors", Requests.Connector("victim", servers, mongoDb, "visits", chDb, sourceUri: victimSource), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{victim}", c => !c["running"]!.GetValue<bool>() && c["lastResult"] is not null, "the victim's first run to end");
        await client.PostJsonAsync($"/api/connectors/{victim}/pause");
        var saved = await client.GetJsonAsync($"/api/connectors/{victim}");
        var maskedSource = saved["source"].Str("uri")!;
        var maskedDestination = saved["destination"].Str("uri")!;
        var before = await SnapshotAsync(app);

        string Elsewhere(string uri, string from, string to) => uri.Replace(from, to, StringComparison.Ordinal);
        object Ends(string sourceUri, string destinationUri) => new
        {
            source = new { uri = sourceUri, database = mongoDb, collection = "visits" },
            destination = new { uri = destinationUri, database = chDb, table = "visits" },
            connectorId = victim,
        };
        object Edit(string sourceUri, string destinationUri, object? table = null, string name = "victim", string? filter = null, string? projection = null, string database = "") => new
        {
            name,
            source = new { uri = sourceUri, database = database.Length > 0 ? database : mongoDb, collection = "visits", filter, projection },
            destination = new { uri = destinationUri, database = chDb, table = "visits" },
            mode = "incremental_id",
            intervalSeconds = 3600,
            table,
        };
        var listenerCh = $"http://{ServiceServers.ClickHouseUser}:***@127.0.0.1:{listener.Port}";
        var testPath = "/api/connectors/test";
        var victimPath = $"/api/connectors/{victim}";

        // 1. The exfiltration of item 1: a masked secret pointed at another server, user, scheme, port, path, mechanism, TLS or proxy.
        await TestRefusedAsync(client, "test: masked ClickHouse password sent to a listener", testPath, Ends(maskedSource, listenerCh), "destination");
        await TestRefusedAsync(client, "test: masked ClickHouse password as another user", testPath, Ends(maskedSource, maskedDestination.Replace($"{ServiceServers.ClickHouseUser}:", "admin:", StringComparison.Ordinal)), "destination");
        await TestRefusedAsync(client, "test: masked ClickHouse password over https", testPath, Ends(maskedSource, maskedDestination.Replace("http://", "https://", StringComparison.Ordinal)), "destination");
        await TestRefusedAsync(client, "test: masked ClickHouse password to another port", testPath, Ends(maskedSource, Elsewhere(maskedDestination, $":{ch.Port}", $":{listener.Port}")), "destination");
        await TestRefusedAsync(client, "test: masked ClickHouse password to another proxy path", testPath, Ends(maskedSource, maskedDestination.TrimEnd('/') + "/other-service"), "destination");
        await TestRefusedAsync(client, "test: masked MongoDB secrets sent to a listener", testPath, Ends(Elsewhere(maskedSource, mongoHostPort, $"127.0.0.1:{listener.Port}"), maskedDestination), "source");
        await TestRefusedAsync(client, "test: masked MongoDB password with authMechanism=PLAIN", testPath, Ends(maskedSource.Replace("SCRAM-SHA-256", "PLAIN", StringComparison.Ordinal), maskedDestination), "source");
        await TestRefusedAsync(client, "test: masked MongoDB password with tls=false", testPath, Ends(maskedSource + "&tls=false", maskedDestination), "source");
        await TestRefusedAsync(client, "test: masked MongoDB password through a SOCKS proxy", testPath, Ends(maskedSource + $"&proxyHost=127.0.0.1&proxyPort={listener.Port}", maskedDestination), "source");
        await TestRefusedAsync(client, "test: masked MongoDB password with tlsAllowInvalidCertificates", testPath, Ends(maskedSource + "&tls=true&tlsAllowInvalidCertificates=true", maskedDestination), "source");
        await RefusedAsync(client, "update: masked ClickHouse password pointed at a listener", HttpMethod.Put, victimPath, Edit(maskedSource, listenerCh), 400, "destination.uri", words: "type the password again");
        await RefusedAsync(client, "update: masked MongoDB secrets pointed at a listener", HttpMethod.Put, victimPath, Edit(Elsewhere(maskedSource, mongoHostPort, $"127.0.0.1:{listener.Port}"), maskedDestination), 400, "source.uri", words: "type the password again");
        await RefusedAsync(client, "update: masked key-file password with another key file", HttpMethod.Put, victimPath, Edit(maskedSource + "&tlsCertificateKeyFile=/tmp/attacker.pem", maskedDestination), 400, "source.uri", words: "type the password again");

        // 2. Keyless loopback mode against what a web page can send (the browser test sends the real ones).
        await GuardRefusedAsync(client, "rebinding: GET /api/connectors for evil.example", HttpMethod.Get, "/api/connectors", host: "evil.example:8080", expected: 403);
        await GuardRefusedAsync(client, "rebinding: GET /metrics for evil.example", HttpMethod.Get, "/metrics", host: "evil.example", expected: 403);
        await GuardRefusedAsync(client, "rebinding: POST a connector for evil.example", HttpMethod.Post, "/api/connectors", host: "evil.example", json: "{}", expected: 403);
        await GuardRefusedAsync(client, "cross-site form: resume (urlencoded, foreign Origin)", HttpMethod.Post, $"{victimPath}/resume", contentType: "application/x-www-form-urlencoded", origin: "https://evil.example", site: "cross-site", expected: 403);
        await GuardRefusedAsync(client, "cross-site form: sync (multipart)", HttpMethod.Post, $"{victimPath}/sync", contentType: "multipart/form-data; boundary=x", site: "cross-site", expected: 403);
        await GuardRefusedAsync(client, "form without Origin: resume (text/plain)", HttpMethod.Post, $"{victimPath}/resume", contentType: "text/plain", expected: 415);
        await GuardRefusedAsync(client, "body-less resume, no content type", HttpMethod.Post, $"{victimPath}/resume", expected: 415);
        await GuardRefusedAsync(client, "JSON from an opaque origin (sandboxed frame)", HttpMethod.Post, $"{victimPath}/resume", json: "{}", origin: "null", expected: 403);
        await GuardRefusedAsync(client, "JSON update from a foreign origin", HttpMethod.Put, victimPath, json: "{}", origin: "https://evil.example", expected: 403);
        await GuardRefusedAsync(client, "DELETE from a foreign origin", HttpMethod.Delete, victimPath, origin: "https://evil.example", expected: 403);
        await GuardRefusedAsync(client, "DELETE flagged cross-site", HttpMethod.Delete, victimPath, site: "cross-site", expected: 403);

        // 3. Table expressions that would run as DDL with the stored credentials.
        await RefusedAsync(client, "orderBy with SETTINGS", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { orderBy = "_id SETTINGS storage_policy = 'evil'" }), 400, "table.orderBy");
        await RefusedAsync(client, "ttl moving data TO DISK", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { ttl = "now() + INTERVAL 1 DAY TO DISK 'attacker'" }), 400, "table.ttl");
        await RefusedAsync(client, "partitionBy calling url() to a listener", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { partitionBy = $"url('http://127.0.0.1:{listener.Port}/x', 'CSV', 'a String')" }), 400, "table.partitionBy");
        await RefusedAsync(client, "ttl reading file('/etc/passwd')", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { ttl = "file('/etc/passwd')" }), 400, "table.ttl");
        await RefusedAsync(client, "orderBy opening a comment", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { orderBy = "_id /* the rest" }), 400, "table.orderBy");
        await RefusedAsync(client, "orderBy ClickHouse itself cannot parse", HttpMethod.Put, victimPath, Edit(maskedSource, maskedDestination, new { orderBy = "(site, , _id)" }), 400, "table.orderBy", words: "ClickHouse cannot parse it");

        // 4. Validator gaps.
        await RefusedAsync(client, "name with a right-to-left override", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "invoice\u202Egpj.exe"), 400, "name");
        await RefusedAsync(client, "name with a zero-width space", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "vic\u200Btim"), 400, "name");
        await RefusedAsync(client, "source.database of 64 bytes", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "long_db", database: new string('d', 64)), 400, "source.database");
        await RefusedAsync(client, "filter {\"$and\": []}", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "empty_and", filter: """{"$and": []}"""), 400, "source.filter");
        await RefusedAsync(client, "filter running JavaScript ($where sleep)", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "js_filter", filter: """{"$where": "sleep(60000) || true"}"""), 400, "source.filter");
        await RefusedAsync(client, "projection of only _id", HttpMethod.Post, "/api/connectors", Edit(servers.Mongo.ConnectionString, servers.ClickHouseUri, name: "only_id", projection: """{"_id": 1}"""), 400, "source.projection");
        await RefusedAsync(client, "malformed JSON body", HttpMethod.Post, "/api/connectors", """{"name": "x", """, 400, "body");

        // 5. A connection test as a probe: a stranger's answer is never repeated.
        await ProbeAsync(client, "test against a server answering 500 with a page", testPath, stranger.Port, mongoDb, chDb);
        await ProbeAsync(client, "test against a server answering 200 with a page", testPath, garbage.Port, mongoDb, chDb);

        var after = await SnapshotAsync(app);
        Assert.Equal(before, after);

        // 6. Bounded work: an oversized document and a query that hangs get a clear state, and the rest of the run goes on.
        await OversizedAsync(client, mongoDb, chDb);
        await HangingQueryAsync(client, mongoDb, chDb);

        // 7. A database copied without its keys: clear answers, nothing leaks, nothing changes.
        await WithoutKeysAsync(app, victim, Edit(maskedSource, maskedDestination));

        // What Zenith sent to strangers, and what it kept or said anywhere.
        var secrets = new[] { MongoPassword, SessionToken, KeyFilePassword, servers.Password }.Where(s => !string.IsNullOrEmpty(s)).Cast<string>().ToArray();
        answers.AppendLine(await client.GetStringAsync("/metrics")).AppendLine((await client.GetJsonAsync("/api/logs?limit=500")).ToJsonString()).AppendLine((await client.GetJsonAsync("/api/connectors")).ToJsonString());
        var file = await DatabaseFiles.ReadTextAsync(app.DatabasePath);
        var logs = string.Join('\n', app.Logs.Lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, listener.Received, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stranger.Received + garbage.Received, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, file, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("jnk-5e5e", answers.ToString(), StringComparison.Ordinal);
        output.WriteLine($"Hostile requests: {report.Count} tried, {report.Count(r => !r.GotThrough)} refused or answered with a clear state, {report.Count(r => r.GotThrough)} got through.");
        foreach (var (name, outcome, gotThrough) in report)
        {
            output.WriteLine($"{(gotThrough ? "GOT THROUGH" : "held       ")}  {name}: {outcome}");
        }

        Assert.DoesNotContain(report, r => r.GotThrough);
        Assert.True(report.Count >= 40, $"the suite tried {report.Count} requests");
    }

    private async Task TestRefusedAsync(HttpClient client, string name, string path, object body, string end)
    {
        var (response, json) = await Record(client, HttpMethod.Post, path, body);
        var message = json?[end].Str("message") ?? "";
        var refused = response.StatusCode == HttpStatusCode.OK && json?[end]?["ok"]?.GetValue<bool>() == false && message.Contains("type the password again", StringComparison.Ordinal);
        report.Add((name, $"{(int)response.StatusCode}, {end}: {message}", !refused));
    }

    private async Task RefusedAsync(HttpClient client, string name, HttpMethod method, string path, object body, int status, string field, string? words = null)
    {
        var (response, json) = await Record(client, method, path, body);
        var errors = json?["errors"]?[field]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [];
        var refused = (int)response.StatusCode == status && errors.Count > 0 && (words is null || errors.Any(e => e.Contains(words, StringComparison.Ordinal)));
        report.Add((name, $"{(int)response.StatusCode}, {field}: {string.Join(" ", errors)}", !refused));
    }

    private async Task GuardRefusedAsync(HttpClient client, string name, HttpMethod method, string path, int expected, string? host = null, string? json = null, string? contentType = null, string? origin = null, string? site = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null || contentType is not null)
        {
            request.Content = new StringContent(json ?? "a=1", Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        answers.AppendLine(text);
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonNode.Parse(text) : null;
        var refused = (int)response.StatusCode == expected && problem.Str("detail") is { Length: > 0 };
        report.Add((name, $"{(int)response.StatusCode} {problem.Str("title")}", !refused));
    }

    private async Task ProbeAsync(HttpClient client, string name, string path, int port, string mongoDb, string chDb)
    {
        var (response, json) = await Record(client, HttpMethod.Post, path, new
        {
            source = new { uri = servers.Mongo.ConnectionString, database = mongoDb, collection = "visits" },
            destination = new { uri = $"http://default@127.0.0.1:{port}", database = chDb, table = "visits" },
        });
        var message = json?["destination"].Str("message") ?? "";
        var refused = response.StatusCode == HttpStatusCode.OK && message.Contains("not as ClickHouse does", StringComparison.Ordinal) && !message.Contains("jnk-5e5e", StringComparison.Ordinal);
        report.Add((name, message, !refused));
    }

    /// <summary>One document over processing.max_document_bytes: counted, reported with its _id, the other documents written.</summary>
    private async Task OversizedAsync(HttpClient client, string mongoDb, string chDb)
    {
        var collection = servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("pages");
        await collection.InsertManyAsync(Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", i }, { "html", new string('x', i == 2 ? 200_000 : 1_000) } }));
        var (response, created) = await Record(client, HttpMethod.Post, "/api/connectors", Requests.Connector("pages", servers, mongoDb, "pages", chDb));
        var id = created.Number("id");
        var done = await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") is "succeeded" or "failed", "the run with an oversized document");
        var run = done["lastResult"]!;
        var line = (await client.GetJsonAsync($"/api/logs?connectorId={id}&level=warning")).AsArray().Select(l => l.Str("message")).FirstOrDefault(m => m!.Contains("not written", StringComparison.Ordinal));
        var clear = response.StatusCode == HttpStatusCode.Created && run.Str("status") == "succeeded" && run.Number("rowsWritten") == 4 && run.Number("rowsFailed") == 1
            && line is not null && line.Contains("First _id: 2.", StringComparison.Ordinal) && await servers.CountAsync(chDb, "pages") == 4;
        report.Add(("a run meeting a 200 KB document over a 64 KiB max_document_bytes", $"run {run.Str("status")}, {run.Number("rowsWritten")} written, {run.Number("rowsFailed")} failed; log: {line}", !clear));
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
    }

    /// <summary>A query that never answers (the proxy holds every byte): the run ends at its deadline with a clear error.</summary>
    private async Task HangingQueryAsync(HttpClient client, string mongoDb, string chDb)
    {
        await using var proxy = FaultProxy.For(servers.Mongo.ConnectionString);
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("hangs", servers, mongoDb, "visits", chDb, table: "hangs", sourceUri: proxy.Route(servers.Mongo.ConnectionString)), expected: 201)).Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => !c["running"]!.GetValue<bool>() && c["lastResult"] is not null, "the first run through the proxy");
        proxy.Hang();
        var (response, started) = await Record(client, HttpMethod.Post, $"/api/connectors/{id}/sync", null);
        var run = await client.UntilAsync($"/api/runs/{started.Number("id")}", r => r.Str("status") is "failed" or "succeeded" or "cancelled", "the hanging run to meet its deadline");
        var clear = response.StatusCode == HttpStatusCode.Accepted && run.Str("status") == "failed" && run.Str("error")!.Contains("did not finish within timeouts.run_seconds", StringComparison.Ordinal);
        report.Add(("sync whose MongoDB query hangs (run deadline 15 s)", $"run {run.Str("status")}: {run.Str("error")}", !clear));
        proxy.Resume();
        await client.PostJsonAsync($"/api/connectors/{id}/pause");
    }

    /// <summary>The same file in a directory without keys/: the list works, what needs the secrets says what to do.</summary>
    private async Task WithoutKeysAsync(ZenithApp app, long victim, object maskedEdit)
    {
        using var copy = DatabaseFiles.CopyWithoutKeys(app.Directory);
        await using var restored = new ZenithApp(copy.Path);
        using var client = restored.CreateClient();
        // Apart from the mark that the secrets cannot be decrypted (set at start-up, or by the first request that needs them).
        static string Unmarked(string snapshot) => snapshot.Replace("credentials_unreadable=1", "credentials_unreadable=0", StringComparison.Ordinal);
        var before = Unmarked(await SnapshotAsync(restored));
        var (list, _) = await Record(client, HttpMethod.Get, "/api/connectors", null);
        report.Add(("copied database: list the connectors", $"{(int)list.StatusCode}", list.StatusCode != HttpStatusCode.OK));
        var (test, result) = await Record(client, HttpMethod.Post, $"/api/connectors/{victim}/test", null);
        var said = result?["destination"].Str("message") ?? "";
        report.Add(("copied database: test the saved connector", said, !said.Contains("enter the password again", StringComparison.Ordinal)));
        var (sync, problem) = await Record(client, HttpMethod.Post, $"/api/connectors/{victim}/sync", null);
        report.Add(("copied database: sync now", $"{(int)sync.StatusCode} {problem.Str("title")}", sync.StatusCode != HttpStatusCode.Conflict));
        var (edit, refused) = await Record(client, HttpMethod.Put, $"/api/connectors/{victim}", maskedEdit);
        var why = string.Join(" ", refused?["errors"]?.AsObject().Select(e => $"{e.Key}: {e.Value![0]}") ?? []);
        report.Add(("copied database: save with the masked passwords", $"{(int)edit.StatusCode} {why}", edit.StatusCode != HttpStatusCode.BadRequest || !why.Contains("enter the password again", StringComparison.Ordinal)));
        var after = Unmarked(await SnapshotAsync(restored));
        Assert.Equal(before, after);
    }

    private async Task<(HttpResponseMessage Response, JsonNode? Body)> Record(HttpClient client, HttpMethod method, string path, object? body)
    {
        var (response, json) = await client.SendAsync(method, path, body);
        answers.AppendLine(json?.ToJsonString() ?? await response.Content.ReadAsStringAsync());
        return (response, json);
    }

    /// <summary>Everything stored about connectors, in one text: rows, checkpoints, mapped columns, the number of runs.</summary>
    private static async Task<string> SnapshotAsync(ZenithApp app)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        await connection.OpenAsync();
        var text = new StringBuilder();
        foreach (var table in new[] { "connectors", "checkpoints", "mapped_columns" })
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table} ORDER BY 1;"))
            {
                text.AppendLine(string.Join(", ", row.Select(c => $"{c.Key}={c.Value}")));
            }
        }

        return text.Append("runs: ").Append(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs;")).ToString();
    }
}
