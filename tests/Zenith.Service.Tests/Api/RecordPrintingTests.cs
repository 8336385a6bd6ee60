using Zenith.Core.Connectors;
using Zenith.Service.Api;
using Zenith.Service.Domain;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Api;

/// <summary>Issue 14, item 7: the records that carry connection strings print them masked (one log line away from a leak otherwise).</summary>
public sealed class RecordPrintingTests
{
    private const string Password = "Pr1nt-pa55";

    [Fact]
    public void Requests_definitions_and_unsealed_connectors_print_their_uris_masked()
    {
        var source = new SourceDto($"mongodb://app:{Password}@h/?tlsCertificateKeyFilePassword={Password}x", "db", "c");
        var destination = new DestinationDto($"http://default:{Password}@ch:8123", "db", "t");
        var definition = Definitions.Of("printed", source.Uri, destination.Uri);
        var stored = new StoredConnector(1, definition, ConnectorStatus.Active, 0, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []);
        var printed = new object[]
        {
            source,
            destination,
            new ConnectorRequest("printed", source, destination, SyncMode.Full),
            new ConnectionTestRequest(source, destination, 1),
            definition,
            new UnsealedConnector(stored, definition),
            new UnsealedConnector(stored, definition).ToSpec(1000),
        }.Select(o => o.ToString()!).ToList();

        Assert.All(printed, text =>
        {
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.Contains("***", text, StringComparison.Ordinal);
        });
    }
}
