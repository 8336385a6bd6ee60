using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Zenith.Service.Api;
using Zenith.Service.Cli;
using Zenith.Service.Configuration;
using Zenith.Service.Metadata;
using Zenith.Service.Tests.Infrastructure;

namespace Zenith.Service.Tests.Cli;

/// <summary>The CLI's local mode composes the host's services: its commands are the API's use cases, with the same effects.</summary>
public sealed class LocalClientTests
{
    [Fact]
    public async Task Adding_and_removing_on_the_file_writes_the_history_the_api_writes()
    {
        using var directory = new TempDirectory();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["metadata_storage:path"] = Path.Combine(directory.Path, "zenith.db") })
            .Build();
        var request = new ConnectorRequest(
            "local",
            new SourceDto("mongodb://app:L0cal-pw@127.0.0.1:1/", "monitoring", "visits"),
            new DestinationDto("http://default:L0cal-pw@127.0.0.1:1", "analytics", "visits"),
            Core.Connectors.SyncMode.IncrementalId);

        long id;
        await using (var cli = await LocalClient.OpenAsync(configuration, CancellationToken.None))
        {
            var added = await cli.AddAsync(request, CancellationToken.None);
            id = added.Id;
            Assert.Equal("mongodb://app:***@127.0.0.1:1/", added.Source.Uri);
            var duplicate = await Assert.ThrowsAsync<CliException>(() => cli.AddAsync(request with { Name = "LOCAL" }, CancellationToken.None));
            Assert.Equal("A connector named \"LOCAL\" already exists.", duplicate.Message);
        }

        await using (var services = new ServiceCollection().AddLogging().AddZenith(configuration, configuration.ReadZenithOptions()).BuildServiceProvider())
        {
            var logs = await services.GetRequiredService<LogStore>().ListAsync(id, null, 10, CancellationToken.None);
            Assert.Equal(["Connector local created."], logs.Select(l => l.Message));
        }

        await using (var cli = await LocalClient.OpenAsync(configuration, CancellationToken.None))
        {
            await cli.RemoveAsync("local", CancellationToken.None);
            Assert.Empty(await cli.ListAsync(CancellationToken.None));
        }
    }
}
