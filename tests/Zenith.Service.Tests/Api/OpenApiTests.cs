using System.Text.Json.Nodes;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>The OpenAPI document is committed (backend/Zenith.Service/openapi.json) and the TypeScript client is generated from it.</summary>
public class OpenApiTests
{
    [Fact]
    public async Task The_committed_openapi_document_is_current()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        Approved.Verify("backend/Zenith.Service/openapi.json", document.ToJsonString(new() { WriteIndented = true }) + "\n", "ZENITH_UPDATE_OPENAPI");
    }

    [Fact]
    public async Task The_document_covers_every_endpoint_with_its_errors_and_string_enums()
    {
        using var app = new ZenithApp();
        using var client = app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[]
                 {
                     "/api/connectors", "/api/connectors/{id}", "/api/connectors/{id}/sync", "/api/connectors/{id}/pause",
                     "/api/connectors/{id}/resume", "/api/connectors/test", "/api/connectors/{id}/test", "/api/connectors/{id}/preview", "/api/connectors/preview",
                     "/api/connectors/{id}/runs", "/api/runs/{runId}", "/api/logs", "/health/live", "/health/ready",
                 })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is missing from the document");
        }

        var create = paths["/api/connectors"]!["post"]!["responses"]!.AsObject();
        Assert.True(create.ContainsKey("201") && create.ContainsKey("400") && create.ContainsKey("401"), create.ToJsonString());
        Assert.True(paths["/api/connectors/{id}/sync"]!["post"]!["responses"]!.AsObject().ContainsKey("409"));
        var patch = paths["/api/connectors/{id}"]!["patch"]!;
        Assert.NotNull(patch["requestBody"]!["content"]!["application/merge-patch+json"]);
        Assert.Equal("#/components/schemas/ConnectorPatch", patch["requestBody"]!["content"]!["application/merge-patch+json"]!["schema"]!["$ref"]!.GetValue<string>());

        var schemas = document["components"]!["schemas"]!;
        var modes = schemas["SyncMode"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>());
        Assert.Equal(["incremental_id", "incremental_timestamp", "full", "change_stream"], modes);
        Assert.Equal(["active", "paused", "error"], schemas["ConnectorStatus"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.NotNull(document["components"]!["securitySchemes"]!["bearer"]);
    }
}
