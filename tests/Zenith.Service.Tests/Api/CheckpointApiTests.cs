using System.Diagnostics;
using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using MongoDB.Bson;
using MongoDB.Driver;
using Zenith.Service.Runs;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>
/// Issue 11 through the API, against the real servers: an edit that changes what the checkpoint means resets it (item 6), reset and
/// resync, one connector per destination table (item 9), and what the user should fix reported as warnings.
/// </summary>
[Collection(ServiceServersCollection.Name)]
public sealed class CheckpointApiTests(ServiceServers servers)
{
    [Fact]
    public async Task An_edit_to_another_table_resets_the_checkpoint_says_so_and_the_new_table_gets_everything()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "moves", 1_200);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var request = Requests.Connector("moves", servers, mongoDb, "moves", chDb);
        var id = (await client.PostJsonAsync("/api/connectors", request, expected: 201)).Number("id");
        var synced = await UntilSucceededAsync(client, id, 1);
        Assert.NotNull(synced.Str("checkpoint"));

        var (response, edited) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", Requests.Connector("moves", servers, mongoDb, "moves", chDb, table: "moves_v2"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(edited!["checkpointReset"]!.GetValue<bool>());
        Assert.StartsWith("Checkpoint reset: the destination table changed", edited.Str("message"), StringComparison.Ordinal);
        Assert.Null(edited.Str("checkpoint"));
        var logs = (await client.GetJsonAsync($"/api/logs?connectorId={id}")).AsArray();
        Assert.Contains(logs, l => l.Str("message") == edited.Str("message"));

        await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        await UntilSucceededAsync(client, id, 2);
        Assert.Equal(1_200, await servers.CountAsync(chDb, "moves_v2"));

        // An edit that leaves the checkpoint's meaning alone (the schedule) keeps it.
        var (_, rescheduled) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", Requests.Connector("moves", servers, mongoDb, "moves", chDb, table: "moves_v2", intervalSeconds: 7200));
        Assert.False(rescheduled!["checkpointReset"]!.GetValue<bool>());
        Assert.NotNull(rescheduled.Str("checkpoint"));
    }

    [Fact]
    public async Task A_full_connector_edited_to_incremental_starts_over_instead_of_failing_every_run()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "modes", 300);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("modes", servers, mongoDb, "modes", chDb, mode: "full"), expected: 201)).Number("id");
        await UntilSucceededAsync(client, id, 1);

        var (_, edited) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", Requests.Connector("modes", servers, mongoDb, "modes", chDb, mode: "incremental_id"));
        Assert.True(edited!["checkpointReset"]!.GetValue<bool>());
        await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        var run = (await UntilSucceededAsync(client, id, 2))["lastResult"]!;
        Assert.Equal(300, run.Number("rowsRead"));
    }

    [Fact]
    public async Task Reset_starts_over_in_the_same_table_and_resync_reloads_a_new_one_swapped_in()
    {
        var (mongoDb, chDb) = Names();
        await Seed.InsertAsync(servers, mongoDb, "again", 500);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var id = (await client.PostJsonAsync("/api/connectors", Requests.Connector("again", servers, mongoDb, "again", chDb), expected: 201)).Number("id");
        var synced = await UntilSucceededAsync(client, id, 1);

        // Another process runs it: the reset is a conflict and changes nothing. Once that process has ended, it is not waited out.
        await using (var db = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await db.ExecuteAsync(
                "INSERT INTO leases (connector_id, holder, expires_at) VALUES (@id, 'pid 4242 on elsewhere (cafe0001)', @until);",
                new { id, until = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() });
            var (busy, problem) = await client.SendAsync(HttpMethod.Post, $"/api/connectors/{id}/reset");
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.StartsWith("Connector again is being run by another Zenith process (pid 4242 on elsewhere (cafe0001))", problem!.Str("detail"), StringComparison.Ordinal);
            Assert.Equal(synced.Str("checkpoint"), (await client.GetJsonAsync($"/api/connectors/{id}")).Str("checkpoint"));

            using var gone = Process.Start("true")!;
            await gone.WaitForExitAsync();
            await db.ExecuteAsync("UPDATE leases SET holder = @holder WHERE connector_id = @id;", new { id, holder = LeaseHolders.Format(gone.Id, "deadbeef") });
        }

        var reset = await client.PostJsonAsync($"/api/connectors/{id}/reset");
        Assert.Null(reset.Str("checkpoint"));
        Assert.Equal($"Checkpoint reset by request: the next run starts from the beginning into {chDb}.again.", reset.Str("message"));
        await client.PostJsonAsync($"/api/connectors/{id}/sync", expected: 202);
        Assert.Equal(500, (await UntilSucceededAsync(client, id, 2))["lastResult"]!.Number("rowsRead"));

        // A row nobody can explain and documents deleted at the source: a resync makes the table the collection again.
        await servers.ClickHouse.ExecuteNonQueryAsync($"INSERT INTO `{chDb}`.`again` (_id, _zenith_synced_at, _zenith_version, _zenith_id_type) VALUES ('stray', now64(), 1, 'string')");
        await servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("again").DeleteManyAsync(new BsonDocument("n", new BsonDocument("$lt", 100)));
        var resync = await client.PostJsonAsync($"/api/connectors/{id}/resync", expected: 202);
        Assert.Equal("resync", resync.Str("trigger"));
        var resynced = await UntilSucceededAsync(client, id, 3);
        Assert.Equal(400, resynced["lastResult"]!.Number("rowsWritten"));
        Assert.Equal(400, await servers.CountAsync(chDb, "again"));
        Assert.NotNull(resynced.Str("checkpoint"));

        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Post, "/api/connectors/999999/reset")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Post, "/api/connectors/999999/resync")).Response.StatusCode);
    }

    [Fact]
    public async Task Two_connectors_on_one_destination_table_are_refused_with_a_field_error()
    {
        var (mongoDb, chDb) = Names();
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var first = Requests.Connector("one_table_a", servers, mongoDb, "a", chDb, table: "shared");
        await client.PostJsonAsync("/api/connectors", first, expected: 201);
        await client.PostJsonAsync($"/api/connectors/{(await client.GetJsonAsync("/api/connectors")).AsArray().Single(c => c.Str("name") == "one_table_a")!.Number("id")}/pause");

        var (refused, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", Requests.Connector("one_table_b", servers, mongoDb, "b", chDb, table: "shared"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.StartsWith("Connector \"one_table_a\" already writes " + chDb + ".shared", problem!["errors"]!["destination.table"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var other = (await client.PostJsonAsync("/api/connectors", Requests.Connector("one_table_b", servers, mongoDb, "b", chDb, table: "own"), expected: 201)).Number("id");
        await client.PostJsonAsync($"/api/connectors/{other}/pause");
        var (moved, _) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{other}", Requests.Connector("one_table_b", servers, mongoDb, "b", chDb, table: "shared"));
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Equal("own", (await client.GetJsonAsync($"/api/connectors/{other}"))["destination"].Str("table"));

        // The same names on another ClickHouse server are another table.
        var elsewhere = Requests.Connector("one_table_c", servers, mongoDb, "c", chDb, table: "shared", destinationUri: "http://default@127.0.0.1:1");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(HttpMethod.Post, "/api/connectors", elsewhere)).Response.StatusCode);
    }

    [Fact]
    public async Task A_missing_index_is_a_warning_on_create_and_test_until_it_exists_and_runs_report_what_they_find()
    {
        var (mongoDb, chDb) = Names();
        var collection = servers.Mongo.Client.GetDatabase(mongoDb).GetCollection<BsonDocument>("warned");
        await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i }, { "updated_at", DateTime.UtcNow.AddHours(-1) } }));
        await collection.InsertOneAsync(new BsonDocument { { "_id", 50 }, { "updated_at", new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc) } });
        using var app = new ZenithApp();
        using var client = app.CreateClient();

        var created = await client.PostJsonAsync("/api/connectors", Requests.Connector("warned", servers, mongoDb, "warned", chDb, mode: "incremental_timestamp"), expected: 201);
        var id = created.Number("id");
        var warning = Assert.Single(created["warnings"]!.AsArray());
        Assert.Equal("missing_index", warning.Str("kind"));
        Assert.EndsWith("""createIndex({ "updated_at": 1, "_id": 1 })""", warning.Str("message"), StringComparison.Ordinal);

        var ran = await UntilSucceededAsync(client, id, 1);
        Assert.Equal(["missing_index", "far_future_values"], ran["warnings"]!.AsArray().Select(w => w.Str("kind")));
        Assert.Contains((await client.GetJsonAsync($"/api/logs?connectorId={id}")).AsArray(), l => l.Str("message")!.StartsWith("1 document(s) have updated_at after", StringComparison.Ordinal));

        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("updated_at").Ascending("_id")));
        var tested = await client.PostJsonAsync($"/api/connectors/{id}/test");
        Assert.Empty(tested["warnings"]!.AsArray());
        Assert.Equal(["far_future_values"], (await client.GetJsonAsync($"/api/connectors/{id}"))["warnings"]!.AsArray().Select(w => w.Str("kind")));

        // Before saving: a test that names the mode says what it needs.
        var unsaved = await client.PostJsonAsync("/api/connectors/test", new
        {
            source = new { uri = servers.Mongo.ConnectionString, database = mongoDb, collection = "warned" },
            destination = new { uri = servers.ClickHouseUri, database = chDb, table = "warned" },
            mode = "incremental_timestamp",
            cursorField = "seen_at",
        });
        Assert.Equal("missing_index", Assert.Single(unsaved["warnings"]!.AsArray()).Str("kind"));
    }

    /// <summary>Waits until the connector's run number <paramref name="runs"/> succeeded and the connector recorded it.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> UntilSucceededAsync(HttpClient client, long id, int runs)
    {
        await client.UntilAsync($"/api/connectors/{id}/runs", r => r.AsArray().Count >= runs && r[0].Str("status") == "succeeded", $"run {runs} to succeed");
        return await client.UntilAsync($"/api/connectors/{id}", c => !c["running"]!.GetValue<bool>(), "the connector to record it");
    }

    private (string Mongo, string ClickHouse) Names() => (servers.Mongo.NewDatabaseName("ck"), servers.NewClickHouseDatabase("ck"));
}
