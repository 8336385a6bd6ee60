using System.Net;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>Field rules through the API: validated per rule, previewed before saving, and never changing a table already written.</summary>
[Collection(ServiceServersCollection.Name)]
public sealed class MappingRulesTests(ServiceServers servers)
{
    [Fact]
    public async Task A_rule_change_on_a_connector_that_wrote_its_table_is_refused_with_the_resync_and_changes_nothing()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("svc"), servers.NewClickHouseDatabase("svc"));
        await Seed.InsertAsync(servers, mongoDb, "visits", 50);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var (response, created) = await client.SendAsync(HttpMethod.Post, "/api/connectors", Requests.Connector("rules", servers, mongoDb, "visits", chDb));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = created.Number("id");
        await client.UntilAsync($"/api/connectors/{id}", c => c["lastResult"].Str("status") == "succeeded" && !c["running"]!.GetValue<bool>(), "the first run to succeed");
        var columnsBefore = await servers.ColumnsAsync(chDb, "visits");

        var edit = Requests.Connector("rules", servers, mongoDb, "visits", chDb);
        var body = System.Text.Json.JsonSerializer.SerializeToNode(edit)!.AsObject();
        body["mapping"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "rules": [ { "path": "url", "action": "exclude" } ] }""");
        var (refused, problem) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", body);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Resync the connector", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal($"/api/connectors/{id}/resync", problem.Str("resync"));

        var stored = await client.GetJsonAsync($"/api/connectors/{id}");
        Assert.Empty(stored["mapping"]!["rules"]!.AsArray());
        Assert.Equal(columnsBefore, await servers.ColumnsAsync(chDb, "visits"));
        Assert.Equal(50, await servers.CountAsync(chDb, "visits"));

        // The same edit pointed at a new table is taken: nothing written there has other rules.
        body["destination"]!["table"] = "visits_v2";
        var (taken, _) = await client.SendAsync(HttpMethod.Put, $"/api/connectors/{id}", body);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
    }

    [Fact]
    public async Task Bad_rules_are_named_per_rule_and_the_preview_of_an_unsaved_connector_applies_the_rules()
    {
        var (mongoDb, chDb) = (servers.Mongo.NewDatabaseName("svc"), servers.NewClickHouseDatabase("svc"));
        await Seed.InsertAsync(servers, mongoDb, "visits", 30);
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var body = System.Text.Json.JsonSerializer.SerializeToNode(Requests.Connector("draft", servers, mongoDb, "visits", chDb))!.AsObject();
        body["mapping"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "maxColumns": 3, "rules": [ { "path": "url", "action": "exclude" }, { "path": "n", "action": "type", "value": "Money" }, { "path": "", "action": "json" } ] }""");
        var (invalid, problem) = await client.SendAsync(HttpMethod.Post, "/api/connectors", body);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = problem!["errors"]!.AsObject();
        Assert.Contains("mapping.maxColumns", errors.Select(e => e.Key));
        Assert.Contains("mapping.rules[1]", errors.Select(e => e.Key));
        Assert.Contains("mapping.rules[2]", errors.Select(e => e.Key));
        Assert.DoesNotContain("mapping.rules[0]", errors.Select(e => e.Key));
        Assert.Empty((await client.GetJsonAsync("/api/connectors")).AsArray());

        body["mapping"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "rules": [ { "path": "url", "action": "exclude" } ] }""");
        var preview = await client.PostJsonAsync("/api/connectors/preview?sample=100", new { connector = body });
        var names = preview["columns"]!.AsArray().Select(c => c.Str("name")).ToList();
        Assert.DoesNotContain("url", names);
        Assert.Contains("_zenith_extra", names);
        Assert.Equal(30, preview.Number("sampled"));
    }
}
